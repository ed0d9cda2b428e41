/**
 * @module bench/soak/workload
 * The soak's mixed workload: what the loopback origin serves (its scripts), the requests that
 * prime it, and a generator of requests drawn from the mix, each with what a correct answer
 * looks like.
 *
 * Kinds (weights in `MIX`):
 * - `hot`: GET of a Zipf-popular small object (mostly L1 hits; expires every 30 s, so some
 *   revalidate through the tier with a 304 from the origin);
 * - `head`, `conditional` (If-None-Match, matching 3 times in 4: 304, else 200), `no-cache`
 *   (request `Cache-Control: no-cache`): the same objects asked for differently;
 * - `cold`: a URL nobody asked for (the long tail): a miss in L1, the tier and to the origin;
 * - `slow`: the same, from an origin that waits before answering;
 * - `large`: GET of a 1 MiB object; `range`: a Range of one (206);
 * - `post`: an unsafe method passed through to the origin; `invalidate`: a POST to a hot URL,
 *   which drops it from L1 and the region's tier (RFC 9111 §4.4);
 * - `stale-if-error`: objects whose origin answers 500 after the first fill of each region's
 *   tier; `max-age=1, stale-if-error=3600` lets the edge serve them stale (200);
 * - `origin-5xx`: a cold URL the origin answers 503: the client gets that 503.
 *
 * The planned origin failures are kept rare (≈ 1.5 % of requests, spread over keys) because
 * each tier shard's circuit breaker opens after 5 consecutive failed origin attempts
 * (origin/circuit-breaker.ts); cold misses reaching the same shards keep resetting it.
 */
import type { OriginScript } from '../../support/origin'
import { pop } from '../clients'

export type Kind =
  | 'hot'
  | 'head'
  | 'conditional'
  | 'no-cache'
  | 'cold'
  | 'slow'
  | 'large'
  | 'range'
  | 'post'
  | 'invalidate'
  | 'stale-if-error'
  | 'origin-5xx'

/** Share of requests per kind, in percent. */
export const MIX: Readonly<Record<Kind, number>> = {
  hot: 62.5,
  head: 4,
  conditional: 6,
  'no-cache': 2,
  cold: 13,
  slow: 2,
  large: 3,
  range: 5,
  post: 1,
  invalidate: 1,
  'stale-if-error': 1,
  'origin-5xx': 0.5,
}

/** The simulated PoPs (`request.cf` via MF-CF-Blob) and the share of requests each sends. */
export const POPS = [
  { colo: 'FRA', country: 'DE', continent: 'EU', weight: 35 },
  { colo: 'AMS', country: 'NL', continent: 'EU', weight: 20 },
  { colo: 'IAD', country: 'US', continent: 'NA', weight: 30 },
  { colo: 'SIN', country: 'SG', continent: 'AS', weight: 15 },
] as const

/** What clients send as Accept-Encoding, and how often (none: the field is left out). */
const ENCODINGS = [
  { value: 'gzip, deflate, br', weight: 60 },
  { value: undefined, weight: 30 },
  { value: 'identity', weight: 10 },
] as const

export const LARGE_BYTES = 1024 * 1024
const STALE_IF_ERROR_OBJECTS = 8
const STALE_IF_ERROR_BYTES = 2048
const SLOW_BYTES = 4096
const FAILURE_BODY = 'planned origin failure'
const MAX_RANGE_BYTES = 64 * 1024

export interface WorkloadOptions {
  /** Popular small objects (Zipf over their ranks). */
  hotObjects: number
  /** Zipf exponent of the hot objects' popularity. */
  zipfS: number
  /** 1 MiB objects, asked for uniformly. */
  largeObjects: number
  /** How long the slow origin path waits before its headers, ms. */
  slowMs: number
  /** Makes this run's cold URLs new to any state left from another run. */
  runId: string
  /** Weights replacing `MIX`'s for some kinds (0 leaves a kind out). */
  mix?: Partial<Record<Kind, number>>
}

/** What a correct answer looks like. Unset fields are not checked. */
export interface Expectation {
  status: number
  /** Length of the (decoded) body. */
  bytes?: number
  /** The body is the origin's generated pattern (byte i is i mod 251) from this offset. */
  generatedFrom?: number
  /** The body is exactly this text. */
  text?: string
  contentRange?: string
  /** HEAD: the Content-Length a GET would have, when the answer carries one. */
  contentLength?: number
}

export interface SoakRequest {
  kind: Kind
  method: 'GET' | 'HEAD' | 'POST'
  path: string
  /** The PoP's colo. */
  pop: string
  headers: Record<string, string>
  body?: string
  expect: Expectation
}

export interface Workload {
  /** Origin scripts to install before the run, by path. */
  scripts: Array<[string, OriginScript]>
  /** Requests to send one after another before the run. */
  priming: SoakRequest[]
  /** How many origin fetches priming must cause for each path (checked by the runner). */
  primingFetches: Array<[string, number]>
  /** The next request of the mix. */
  next(): SoakRequest
}

/** A weighted choice by cumulative weights. */
function chooser<T>(items: ReadonlyArray<{ item: T; weight: number }>): () => T {
  const total = items.reduce((sum, { weight }) => sum + weight, 0)
  return () => {
    let r = Math.random() * total
    for (const { item, weight } of items) {
      r -= weight
      if (r < 0) return item
    }
    const last = items.at(-1)
    if (!last) throw new TypeError('expected at least one item to choose from')
    return last.item
  }
}

/** Ranks 0..n-1 drawn with probability ∝ 1 / (rank + 1)^s. */
function zipf(n: number, s: number): () => number {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s
    cdf[k] = sum
  }
  return () => {
    const r = Math.random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cdf[mid] ?? 0) < r) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Sizes from 256 B to ~8 KiB, spread over the ranks so popular objects are not all alike. */
export function hotBytes(i: number): number {
  return 256 + ((i * 37) % 64) * 128 + (i % 7)
}

/**
 * Parses `hot=80,cold=20` (kinds not named keep their `MIX` weight).
 * @throws TypeError on an unknown kind or a weight that is not a non-negative number
 */
export function parseMix(text: string): Partial<Record<Kind, number>> {
  const mix: Partial<Record<Kind, number>> = {}
  for (const part of text.split(',').filter((p) => p.trim())) {
    const [name = '', value = ''] = part.split('=').map((p) => p.trim())
    const weight = Number(value)
    if (!(name in MIX) || value === '' || !Number.isFinite(weight) || weight < 0) {
      throw new TypeError(
        `expected <kind>=<weight> with a kind of ${Object.keys(MIX)}, got ${part}`
      )
    }
    mix[name as Kind] = weight
  }
  return mix
}

/**
 * @param options sizes of the object sets, the Zipf exponent, the mix and this run's id
 * @returns the origin's scripts, the priming requests and the request generator
 * @throws TypeError when a count is not a positive integer or the mix weighs nothing
 */
export function createWorkload(options: WorkloadOptions): Workload {
  if (Object.values({ ...MIX, ...options.mix }).every((weight) => weight <= 0)) {
    throw new TypeError('expected at least one request kind with a positive weight')
  }
  for (const name of ['hotObjects', 'largeObjects'] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) {
      throw new TypeError(`expected ${name} to be a positive integer, got ${options[name]}`)
    }
  }
  const longLived = (maxAge: number, etag: string) => ({
    'content-type': 'application/octet-stream',
    'cache-control': `public, max-age=${maxAge}`,
    etag,
  })
  const scripts: Array<[string, OriginScript]> = []
  for (let i = 0; i < options.hotObjects; i++) {
    scripts.push([`/soak/hot/${i}`, { bytes: hotBytes(i), headers: longLived(30, `"hot-${i}"`) }])
  }
  for (let i = 0; i < options.largeObjects; i++) {
    scripts.push([`/soak/large/${i}`, { bytes: LARGE_BYTES, headers: longLived(300, `"l-${i}"`) }])
  }
  scripts.push([
    '/soak/slow',
    { bytes: SLOW_BYTES, delayMs: options.slowMs, headers: longLived(60, '"slow"') },
  ])
  scripts.push([
    '/soak/fail',
    { status: 503, body: FAILURE_BODY, headers: { 'cache-control': 'no-store' } },
  ])
  // One good answer per region whose tier the PoPs reach (eu, us, apac), then 500s for good.
  const regions = [...new Set(POPS.map((p) => p.continent))]
  const good: OriginScript = {
    bytes: STALE_IF_ERROR_BYTES,
    headers: {
      'content-type': 'application/octet-stream',
      'cache-control': 'max-age=1, stale-if-error=3600',
      etag: '"sie"',
    },
  }
  const failing: OriginScript = {
    status: 500,
    body: FAILURE_BODY,
    headers: { 'cache-control': 'no-store' },
  }
  const priming: SoakRequest[] = []
  const primingFetches: Array<[string, number]> = []
  for (let i = 0; i < STALE_IF_ERROR_OBJECTS; i++) {
    const path = `/soak/sie/${i}`
    scripts.push([path, { sequence: [...regions.map(() => good), failing] }])
    primingFetches.push([path, regions.length])
    for (const continent of regions) {
      const at = POPS.find((p) => p.continent === continent)
      if (!at) continue
      priming.push({
        kind: 'stale-if-error',
        method: 'GET',
        path,
        pop: at.colo,
        headers: { ...pop(at.colo, at.country, at.continent), 'accept-encoding': 'identity' },
        expect: { status: 200, bytes: STALE_IF_ERROR_BYTES, generatedFrom: 0 },
      })
    }
  }

  const hot = zipf(options.hotObjects, options.zipfS)
  const weights = { ...MIX, ...options.mix }
  const kind = chooser(
    Object.entries(weights)
      .filter(([, weight]) => weight > 0)
      .map(([item, weight]) => ({ item: item as Kind, weight }))
  )
  const where = chooser(POPS.map((p) => ({ item: p, weight: p.weight })))
  const encoding = chooser(ENCODINGS.map((e) => ({ item: e.value, weight: e.weight })))
  const uniform = (n: number) => Math.floor(Math.random() * n)
  let serial = 0

  function next(): SoakRequest {
    const k = kind()
    const at = where()
    const headers: Record<string, string> = pop(at.colo, at.country, at.continent)
    const accept = encoding()
    if (accept) headers['accept-encoding'] = accept
    const base = { kind: k, pop: at.colo, headers }
    const h = hot()
    const hotPath = `/soak/hot/${h}`
    const hotBody = { status: 200, bytes: hotBytes(h), generatedFrom: 0 }
    switch (k) {
      case 'hot':
        return { ...base, method: 'GET', path: hotPath, expect: hotBody }
      case 'head':
        return {
          ...base,
          method: 'HEAD',
          path: hotPath,
          expect: { status: 200, bytes: 0, contentLength: hotBytes(h) },
        }
      case 'conditional': {
        const matching = Math.random() < 0.75
        headers['if-none-match'] = matching ? `"hot-${h}"` : '"not-this-one"'
        const expect = matching ? { status: 304, bytes: 0 } : hotBody
        return { ...base, method: 'GET', path: hotPath, expect }
      }
      case 'no-cache':
        headers['cache-control'] = 'no-cache'
        return { ...base, method: 'GET', path: hotPath, expect: hotBody }
      case 'cold': {
        // Unscripted: the origin answers with the request target as the body.
        const path = `/soak/cold/${options.runId}/${serial++}`
        return { ...base, method: 'GET', path, expect: { status: 200, text: coldBody(path) } }
      }
      case 'slow': {
        const path = `/soak/slow?n=${options.runId}-${serial++}`
        const expect = { status: 200, bytes: SLOW_BYTES, generatedFrom: 0 }
        return { ...base, method: 'GET', path, expect }
      }
      case 'large': {
        const path = `/soak/large/${uniform(options.largeObjects)}`
        const expect = { status: 200, bytes: LARGE_BYTES, generatedFrom: 0 }
        return { ...base, method: 'GET', path, expect }
      }
      case 'range': {
        const path = `/soak/large/${uniform(options.largeObjects)}`
        const length = 1 + uniform(MAX_RANGE_BYTES)
        // One in ten is a suffix range (the last n bytes).
        const suffix = Math.random() < 0.1
        const start = suffix ? LARGE_BYTES - length : uniform(LARGE_BYTES - length + 1)
        const end = start + length - 1
        headers.range = suffix ? `bytes=-${length}` : `bytes=${start}-${end}`
        const expect = {
          status: 206,
          bytes: length,
          generatedFrom: start,
          contentRange: `bytes ${start}-${end}/${LARGE_BYTES}`,
        }
        return { ...base, method: 'GET', path, expect }
      }
      case 'post': {
        const path = '/soak/form'
        const expect = { status: 200, text: coldBody(path) }
        return { ...base, method: 'POST', path, body: `n=${serial++}`, expect }
      }
      case 'invalidate':
        // The script answers every method alike: the POST's answer is the object itself.
        return { ...base, method: 'POST', path: hotPath, body: `n=${serial++}`, expect: hotBody }
      case 'stale-if-error': {
        const path = `/soak/sie/${uniform(STALE_IF_ERROR_OBJECTS)}`
        const expect = { status: 200, bytes: STALE_IF_ERROR_BYTES, generatedFrom: 0 }
        return { ...base, method: 'GET', path, expect }
      }
      case 'origin-5xx': {
        const path = `/soak/fail?n=${options.runId}-${serial++}`
        return { ...base, method: 'GET', path, expect: { status: 503, text: FAILURE_BODY } }
      }
    }
  }

  return { scripts, priming, primingFetches, next }
}

/** What test/support/origin.ts answers for an unscripted request target. */
function coldBody(target: string): string {
  return `origin body for ${target}`
}
