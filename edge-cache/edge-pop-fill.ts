/**
 * @module edge-pop-fill
 * A hot key's L1 miss joins the PoP's refill (store/pop-fill.ts): it claims the refill when no
 * isolate of the PoP has, else waits for L1 to be refilled and serves that (`collapsed`).
 */
import { freshFromL1 } from './edge-l1-lookup'
import type { EdgeCall, EdgeResult } from './edge-request'
import { nextLookIn, POP_FILL_WAIT_MS, recentL1Hits } from './store/pop-fill'

/** What joining the PoP's refill came to. */
export type PopFill =
  /** Served from L1 as another isolate refilled it. */
  | { served: EdgeResult }
  /** This request refills the key for the PoP: call `release` once its fill ends. */
  | { release: () => Promise<void> }
  /** Not a hot key, or the wait ran out: go upstream as any miss does. */
  | { alone: true }

/**
 * @param call the request in flight
 * @param fillKey its fill key (edge-l1-lookup.ts `fillKeyOf`)
 */
export async function joinPopFill(call: EdgeCall, fillKey: string): Promise<PopFill> {
  const { edge, deps } = call
  if (!recentL1Hits.isHot(fillKey, deps.clock.now())) return { alone: true }
  let claimUntil = await deps.l1.fillClaim(edge.key)
  let waited = 0
  for (;;) {
    const pause =
      claimUntil === undefined ? undefined : nextLookIn(waited, claimUntil, deps.clock.now())
    if (pause === undefined) break
    await deps.pause(pause)
    waited += pause
    const served = await freshFromL1(call)
    if (served) return { served }
    claimUntil = await deps.l1.fillClaim(edge.key)
  }
  // A refill waited on that ran out or stored nothing (released): go, but claim nothing, so a
  // key that stopped being stored never lines the PoP's requests up one after another.
  if (waited > 0) return { alone: true }
  // No isolate of the PoP is refilling the key (or a claim ran out unreleased): this one does.
  return { release: claim(call) }
}

/**
 * A stale-while-revalidate refresh: nobody waits for it, so it only needs to know whether an
 * isolate of the PoP is refreshing the key already.
 * @returns the release of this isolate's claim, or undefined when another isolate holds one
 */
export async function claimRefresh(call: EdgeCall): Promise<(() => Promise<void>) | undefined> {
  const until = await call.deps.l1.fillClaim(call.edge.key)
  if (until !== undefined && until > call.deps.clock.now()) return undefined
  return claim(call)
}

/** Claims the key's refill for the PoP; the returned function releases the claim. */
function claim(call: EdgeCall): () => Promise<void> {
  const { edge, deps } = call
  const claimed = deps.l1.claimFill(edge.key, deps.clock.now() + POP_FILL_WAIT_MS)
  deps.waitUntil(claimed.catch(() => undefined))
  return async () => {
    await claimed.catch(() => undefined)
    await deps.l1.releaseFill(edge.key).catch(() => false)
  }
}
