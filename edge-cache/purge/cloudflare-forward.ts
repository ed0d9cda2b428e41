/**
 * @module purge/cloudflare-forward
 * Sends tag purges to Cloudflare's zone purge API (`POST {base}/zones/:id/purge_cache`), one
 * call per body of at most 100 tags, retrying 429 and 5xx answers and network failures with
 * exponential backoff (honouring `Retry-After`, capped). The caller keeps what was not
 * delivered and tries again later: a forward is never dropped for a transient failure.
 * @see https://developers.cloudflare.com/api/resources/cache/methods/purge/
 */
import { discard } from '../discard'

export interface ForwardTarget {
  /** e.g. `https://api.cloudflare.com/client/v4` (a loopback server in tests) */
  baseUrl: string
  zoneId: string
  /** An API token with Cache Purge permission on the zone. Never logged. */
  token: string
}

export interface ForwardOptions {
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  /** Tries per body, the first included. */
  attempts?: number
  /** The first backoff; doubled on each retry. */
  backoffMs?: number
}

export type ForwardResult =
  | { ok: true; calls: number }
  /** `retryable`: keep the bodies and try again later; else Cloudflare refused them for good. */
  | { ok: false; calls: number; retryable: boolean; delivered: number; reason: string }

const MAX_BACKOFF_MS = 5_000

/**
 * @param target where to send
 * @param bodies purge bodies, e.g. `{ tags: [...] }`, each within Cloudflare's per-call limits
 * @returns whether every body was accepted; `delivered` counts those that were, in order
 */
export async function forwardPurges(
  target: ForwardTarget,
  bodies: readonly { tags: string[] }[],
  options: ForwardOptions = {}
): Promise<ForwardResult> {
  const send = options.fetch ?? fetch
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)))
  const attempts = options.attempts ?? 4
  let backoff = options.backoffMs ?? 100
  let calls = 0
  const url = `${target.baseUrl.replace(/\/+$/, '')}/zones/${encodeURIComponent(target.zoneId)}/purge_cache`
  for (const [delivered, body] of bodies.entries()) {
    for (let attempt = 1; ; attempt++) {
      calls++
      let status = 0
      let retryAfterMs: number | undefined
      try {
        const res = await send(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        status = res.status
        retryAfterMs = retryAfter(res.headers.get('retry-after'))
        await discard(res.body)
      } catch {
        status = 0
      }
      if (status >= 200 && status < 300) break
      const retryable = status === 0 || status === 429 || status >= 500
      if (!retryable || attempt >= attempts) {
        return { ok: false, calls, retryable, delivered, reason: `status ${status || 'network'}` }
      }
      await sleep(Math.min(MAX_BACKOFF_MS, Math.max(backoff, retryAfterMs ?? 0)))
      backoff *= 2
    }
  }
  return { ok: true, calls }
}

function retryAfter(value: string | null): number | undefined {
  const seconds = Number(value)
  return value !== null && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}
