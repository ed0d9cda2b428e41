/**
 * Plain node:http clients for the bench's non-wrk measurements: single probes, the 1000-way
 * collapse, and throttled readers of a large object. No keep-alive, so each request has its
 * own connection, as concurrent clients would.
 */
import { Agent, get } from 'node:http'

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })

export interface Fetched {
  status: number
  cacheStatus: string
  bytes: number
  /** From sending the request to the last byte, ms. */
  ms: number
  /** Epoch-relative (performance.now()) time of the last byte. */
  endAt: number
  error?: string
}

/** A PoP as wrangler dev simulates it: `request.cf` from the MF-CF-Blob header. */
export function pop(colo: string, country = 'DE', continent = 'EU'): Record<string, string> {
  return { 'mf-cf-blob': JSON.stringify({ colo, country, continent }) }
}

/** GETs `url`, reading the body at most at `rateBps` bytes per second (unthrottled if 0). */
export function getBody(
  url: string,
  headers: Record<string, string>,
  rateBps = 0,
  check?: (offset: number, chunk: Buffer) => boolean
): Promise<Fetched & { intact: boolean }> {
  const start = performance.now()
  return new Promise((resolve) => {
    let status = 0
    let cacheStatus = ''
    let bytes = 0
    const settle = (intact: boolean, error?: Error) => {
      const endAt = performance.now()
      resolve({
        status,
        cacheStatus,
        bytes,
        ms: endAt - start,
        endAt,
        ...(error ? { error: error.message } : {}),
        intact,
      })
    }
    const fail = (error: Error) => settle(false, error)
    const req = get(url, { headers, agent }, (res) => {
      status = res.statusCode ?? 0
      cacheStatus = String(
        res.headers['cache-status'] ??
          res.headers['x-cache-status'] ??
          res.headers['cf-cache-status'] ??
          ''
      )
      let intact = true
      res.on('data', (chunk: Buffer) => {
        if (check && !check(bytes, chunk)) intact = false
        bytes += chunk.length
        if (rateBps > 0) {
          const aheadMs = (bytes / rateBps) * 1000 - (performance.now() - start)
          if (aheadMs > 5) {
            res.pause()
            setTimeout(() => res.resume(), aheadMs)
          }
        }
      })
      res.on('end', () => settle(intact))
      res.on('error', fail)
    })
    req.on('error', fail)
  })
}

/** Cache-Status with the changing parts (ttl, age) blanked, to count kinds of answers. */
export function normaliseStatus(value: string): string {
  return value.replace(/ttl=-?\d+/g, 'ttl=N')
}

/** How many answers had each normalised Cache-Status (and each error), most frequent first. */
export function tally(results: Fetched[]): Record<string, number> {
  const counts = new Map<string, number>()
  for (const r of results) {
    const key = r.error ? `error: ${r.error}` : `${r.status} ${normaliseStatus(r.cacheStatus)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
}
