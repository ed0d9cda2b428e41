/**
 * @module edge-l1-lookup
 * The edge's L1 read: serve a fresh (or stale-while-revalidate) entry, hand a stale one on for
 * stale-if-error, or say why the request goes upstream (RFC 9211 `fwd`).
 */
import { discard } from './discard'
import { fromEntry } from './edge-answers'
import type { EdgeCall, EdgeResult } from './edge-request'
import { L1_CACHE_NAME } from './edge-request'
import { storedView } from './entry'
import { type CacheStatusEntry, decideServe, type ServeDecision } from './policy'
import { applyPurge } from './purge/purge-decision'
import { secondaryKey } from './secondary-key'
import type { L1Lookup, StoredEntry } from './store/l1'
import { l1Fills } from './store/l1-fills'
import { recentL1Hits } from './store/pop-fill'

/** L1 could not answer: its `Cache-Status` so far, and a stale entry to fall back on. */
export interface L1Miss {
  status: CacheStatusEntry
  stale?: StoredEntry
  /** Nothing was stored for the key (a fill in this isolate may be under way). */
  absent: boolean
}

/**
 * @param call the request in flight
 * @param refresh revalidates the entry in the background (stale-while-revalidate)
 * @returns the answer from L1, or why there is none
 */
export async function lookupL1(
  call: EdgeCall,
  refresh: () => Promise<void>
): Promise<{ served: EdgeResult } | L1Miss> {
  const { edge, requestHeaders, deps, started } = call
  // Content resident in another region is never looked up or stored at this PoP.
  const lookup: L1Lookup =
    edge.residency.kind === 'via-home-tier'
      ? { miss: 'uri-miss' }
      : await deps.l1.get(edge.key, (fields) => secondaryKey(fields, requestHeaders))
  if ('miss' in lookup) return { status: { cache: L1_CACHE_NAME, fwd: lookup.miss }, absent: true }
  const { entry } = lookup
  const decision = entryDecision(call, entry, started)
  if (decision === 'miss') {
    void discard(entry.body)
    return { status: { cache: L1_CACHE_NAME, fwd: 'uri-miss', detail: 'purged' }, absent: false }
  }
  if (decision.action === 'fresh') {
    recentL1Hits.note(fillKeyOf(call), started)
    return {
      served: fromEntry(call, entry, { cache: L1_CACHE_NAME, hit: true, ttl: decision.ttl }),
    }
  }
  if (decision.action === 'stale-while-revalidate') {
    deps.waitUntil(refresh())
    const status = {
      cache: L1_CACHE_NAME,
      hit: true,
      ttl: decision.ttl,
      detail: 'stale-while-revalidate',
    }
    return { served: fromEntry(call, entry, status) }
  }
  // RFC 9211 §2.2: a response the request's own directives would not accept is fwd=request.
  const fwd = decision.reason === 'request' ? 'request' : 'stale'
  return { status: { cache: L1_CACHE_NAME, fwd }, stale: entry, absent: false }
}

/** How an L1 entry may serve this request now: RFC 9111, then this isolate's purge view. */
function entryDecision(call: EdgeCall, entry: StoredEntry, now: number): ServeDecision | 'miss' {
  const { edge, requestHeaders, deps } = call
  const view = storedView(entry.meta, entry.headers)
  // An entry stored for another zone (its host has moved, e.g. from the catch-all) counts its
  // purge sequence in that zone's log: it is gone for this one.
  const foreign = entry.meta.zone !== undefined && entry.meta.zone !== edge.zone
  const purge = foreign
    ? 'purged'
    : deps.purge.purgeState({ key: edge.key, tags: entry.meta.tags, seq: entry.meta.purgeSeq })
  return applyPurge(decideServe(view, requestHeaders, now), purge, view, now)
}

/** The key under which this isolate's requests collapse their fills of one PoP's L1. */
export function fillKeyOf(call: EdgeCall): string {
  return `${call.deps.l1.name}\n${call.edge.key}`
}

/**
 * Waits for another request of this isolate that is filling L1 with the same key, then serves
 * what it stored (`collapsed`). Undefined when there is none, or it stored nothing usable.
 */
export async function fromConcurrentFill(
  call: EdgeCall,
  fillKey: string
): Promise<EdgeResult | undefined> {
  const pending = l1Fills.waitFor(fillKey)
  if (!pending || !(await pending)) return undefined
  return freshFromL1(call)
}

/**
 * Serves the request from L1 as refilled by another request (`collapsed`) when L1 now holds a
 * fresh entry for it; undefined otherwise.
 */
export async function freshFromL1(call: EdgeCall): Promise<EdgeResult | undefined> {
  const { edge, requestHeaders, deps } = call
  const lookup = await deps.l1.get(edge.key, (fields) => secondaryKey(fields, requestHeaders))
  if (!('entry' in lookup)) return undefined
  const { entry } = lookup
  // Another isolate's copy is decided as any L1 entry is, purges and zone included.
  const decision = entryDecision(call, entry, deps.clock.now())
  if (decision === 'miss' || decision.action !== 'fresh') {
    void discard(entry.body)
    return undefined
  }
  const status = { cache: L1_CACHE_NAME, hit: true, ttl: decision.ttl, collapsed: true }
  return fromEntry(call, entry, status)
}
