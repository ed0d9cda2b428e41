/**
 * @module cache-control
 * Cache-Control (RFC 9111 §5.2) and targeted cache-control fields (RFC 9213) parsed into one
 * shape. Parsing is lenient and total: malformed input never throws, it degrades to the most
 * conservative reading (an invalid max-age means "stale", an invalid stale-* is ignored).
 */

import { fieldNameList, getField } from './fields'
import { type BareItem, type Member, parseDictionary } from './structured-fields'
import { surrogateDirectives } from './surrogate-control'

/** Directives understood by this cache; request-only and response-only ones share the shape. */
export interface CacheControl {
  maxAge?: number
  sMaxAge?: number
  noCache?: true | string[]
  noStore?: true
  private?: true | string[]
  public?: true
  mustRevalidate?: true
  proxyRevalidate?: true
  mustUnderstand?: true
  noTransform?: true
  immutable?: true
  staleWhileRevalidate?: number
  staleIfError?: number
  maxStale?: number | true
  minFresh?: number
  onlyIfCached?: true
}

/**
 * "the cache MUST consider the value to be 2147483648 (2^31)" when delta-seconds overflow.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-1.2.2
 */
export const DELTA_SECONDS_MAX = 2_147_483_648

/**
 * Fields this cache obeys instead of Cache-Control, most specific first (RFC 9213 §2.2
 * "target list"): this platform's own field, every CDN's field, then `Surrogate-Control`
 * (W3C Edge Architecture). A Surrogate-Control directive targeted at this platform's device
 * token (`max-age=60;edge-cdn`) is as specific as our own field and ranks right after it.
 */
export const TARGETED_FIELDS: readonly string[] = [
  'edge-cache-control',
  'cdn-cache-control',
  'surrogate-control',
]

/** This platform's own targeted field, stripped before the client. */
const OWN_FIELD = 'edge-cache-control'

/**
 * Parses `delta-seconds = 1*DIGIT`, clamping anything above 2^31 to 2^31.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-1.2.2
 */
export function parseDeltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined
  const n = Number(value)
  return Math.min(n, DELTA_SECONDS_MAX)
}

type Arg = { kind: 'none' } | { kind: 'text'; value: string } | { kind: 'other' }
type Seconds = 'maxAge' | 'sMaxAge' | 'staleWhileRevalidate' | 'staleIfError' | 'minFresh'
type Flag =
  | 'noStore'
  | 'public'
  | 'mustRevalidate'
  | 'proxyRevalidate'
  | 'mustUnderstand'
  | 'noTransform'
  | 'immutable'
  | 'onlyIfCached'

const FLAGS: Record<string, Flag> = {
  'no-store': 'noStore',
  public: 'public',
  'must-revalidate': 'mustRevalidate',
  'proxy-revalidate': 'proxyRevalidate',
  'must-understand': 'mustUnderstand',
  'no-transform': 'noTransform',
  immutable: 'immutable',
  'only-if-cached': 'onlyIfCached',
}

const SECONDS: Record<string, Seconds> = {
  'max-age': 'maxAge',
  's-maxage': 'sMaxAge',
  'stale-while-revalidate': 'staleWhileRevalidate',
  'stale-if-error': 'staleIfError',
  'min-fresh': 'minFresh',
}

function setSeconds(cc: CacheControl, key: Seconds, value: number | undefined): void {
  const previous = cc[key]
  if (key === 'maxAge' || key === 'sMaxAge') {
    // "Caches are encouraged to consider responses that have invalid freshness information
    // (e.g., a max-age directive with non-integer content) to be stale." (§4.2.1) - and for
    // conflicting duplicates "the response should be considered stale".
    const next = value ?? 0
    cc[key] = previous === undefined || previous === next ? next : 0
  } else if (value !== undefined) {
    // permissions (stale-*) shrink, requirements (min-fresh) grow: most restrictive wins
    const pick = key === 'minFresh' ? Math.max : Math.min
    cc[key] = previous === undefined ? value : pick(previous, value)
  }
}

function setFieldList(cc: CacheControl, key: 'noCache' | 'private', names?: string[]): void {
  const previous = cc[key]
  // the unqualified form is the most restrictive and absorbs any qualified one
  if (names === undefined || previous === true) {
    cc[key] = true
    return
  }
  cc[key] = [...new Set([...(previous ?? []), ...names])]
}

function apply(cc: CacheControl, name: string, arg: Arg): void {
  const flag = FLAGS[name]
  if (flag) {
    cc[flag] = true
    return
  }
  const seconds = SECONDS[name]
  if (seconds) {
    setSeconds(cc, seconds, arg.kind === 'text' ? parseDeltaSeconds(arg.value) : undefined)
    return
  }
  if (name === 'no-cache' || name === 'private') {
    const key = name === 'no-cache' ? 'noCache' : 'private'
    setFieldList(cc, key, arg.kind === 'text' ? fieldNameList(arg.value) : undefined)
    return
  }
  if (name === 'max-stale') {
    // "max-stale ... If no value is assigned to max-stale, then the client will accept a
    // stale response of any age." An invalid value grants nothing.
    if (arg.kind === 'none') {
      if (cc.maxStale === undefined) cc.maxStale = true
      return
    }
    const value = arg.kind === 'text' ? parseDeltaSeconds(arg.value) : undefined
    if (value === undefined) return
    cc.maxStale = typeof cc.maxStale === 'number' ? Math.min(cc.maxStale, value) : value
  }
  // "A cache MUST ignore unrecognized cache directives." (§5.2.3)
}

function* directives(value: string): Generator<[string, Arg]> {
  const n = value.length
  let i = 0
  const isOWS = (c: string) => c === ' ' || c === '\t'
  while (i < n) {
    while (i < n && (value.charAt(i) === ',' || isOWS(value.charAt(i)))) i++
    if (i >= n) return
    const start = i
    while (i < n && value.charAt(i) !== '=' && value.charAt(i) !== ',') i++
    // "Cache directives are identified by a token, to be compared case-insensitively"
    const name = value.slice(start, i).trim().toLowerCase()
    if (value.charAt(i) !== '=') {
      yield [name, { kind: 'none' }]
      continue
    }
    i++
    while (i < n && isOWS(value.charAt(i))) i++
    let text = ''
    if (value.charAt(i) === '"') {
      // "... an optional argument that can use both token and quoted-string syntax"
      i++
      while (i < n && value.charAt(i) !== '"') {
        if (value.charAt(i) === '\\' && i + 1 < n) i++
        text += value.charAt(i++)
      }
      i++
      const rest = value.indexOf(',', i)
      const end = rest < 0 ? n : rest
      if (i < end) text += value.slice(i, end).trim()
      i = end
    } else {
      const rest = value.indexOf(',', i)
      const end = rest < 0 ? n : rest
      text = value.slice(i, end).trim()
      i = end
    }
    yield [name, { kind: 'text', value: text }]
  }
}

/**
 * Parses a Cache-Control field value (request or response). Lenient: unknown directives are
 * ignored, quoted and token arguments are both accepted, an invalid or conflicting
 * max-age/s-maxage reads as 0 (stale), other invalid arguments drop the directive.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2
 */
export function parseCacheControl(value: string | null | undefined): CacheControl {
  const cc: CacheControl = {}
  if (typeof value !== 'string') return cc
  for (const [name, arg] of directives(value)) apply(cc, name, arg)
  return cc
}

function isText(item: BareItem | undefined): boolean {
  return item?.type === 'string' || item?.type === 'token'
}

function toArg(member: Member): Arg {
  if (member.kind === 'inner-list') return { kind: 'other' }
  const item: BareItem = member.value
  if (item.type === 'boolean') return item.value ? { kind: 'none' } : { kind: 'other' }
  if (item.type === 'integer')
    return item.value >= 0 ? { kind: 'text', value: `${item.value}` } : { kind: 'other' }
  if (item.type === 'string' || item.type === 'token') return { kind: 'text', value: item.value }
  return { kind: 'other' }
}

/**
 * Parses a targeted cache-control field (e.g. CDN-Cache-Control) as an sf-dictionary.
 * "If a targeted field in a given response is empty, or a parsing error is encountered,
 * that field MUST be ignored by the cache" - both yield `undefined`. Parameters on members
 * are ignored; a Boolean false member is treated as absent; max-age and s-maxage must be
 * non-negative Integers (anything else reads as 0, i.e. stale).
 * @see https://www.rfc-editor.org/rfc/rfc9213#section-2.1
 */
export function parseTargetedCacheControl(
  value: string | null | undefined
): CacheControl | undefined {
  if (typeof value !== 'string') return undefined
  const dict = parseDictionary(value)
  if (!dict || dict.size === 0) return undefined
  const cc: CacheControl = {}
  for (const [name, member] of dict) {
    const item = member.kind === 'item' ? member.value : undefined
    if (item?.type === 'boolean' && !item.value) continue
    const arg = toArg(member)
    if (SECONDS[name] && item?.type === 'string') {
      // a String is not an Integer: '"60"' is invalid in a Structured Field
      apply(cc, name, { kind: 'other' })
    } else if ((name === 'no-cache' || name === 'private') && !isText(item)) {
      // only a String (or Token) names fields; any other value is the unqualified form
      apply(cc, name, { kind: 'none' })
    } else {
      apply(cc, name, arg)
    }
  }
  return cc
}

/**
 * Picks the directives that govern this cache for a response: "the cache MUST select the
 * first (in target list order) field with a valid, non-empty value ... and ignore the
 * Cache-Control and Expires header fields", falling back to Cache-Control otherwise.
 * Surrogate-Control counts when it carries max-age, no-store or no-store-remote for this
 * platform (see `surrogateDirectives`); "Surrogate-Control ... takes precedence over
 * Cache-Control" as Edge-Cache-Control and CDN-Cache-Control do, and so is parsed with
 * Cache-Control's syntax. `source` is the lower-cased name of the field used.
 * @see https://www.rfc-editor.org/rfc/rfc9213#section-2.2
 * @see https://www.w3.org/TR/edge-arch/
 */
export function selectCacheControl(
  headers: Headers,
  targeted: readonly string[] = TARGETED_FIELDS
): { directives: CacheControl; source: string } {
  const names = targeted.map((name) => name.toLowerCase())
  const surrogate = names.includes('surrogate-control')
    ? surrogateDirectives(getField(headers, 'surrogate-control'))
    : undefined
  const fromSurrogate = () => ({
    directives: parseCacheControl(surrogate?.cacheControl),
    source: 'surrogate-control',
  })
  for (const name of names) {
    if (name === 'surrogate-control') {
      if (surrogate) return fromSurrogate()
      continue
    }
    const directives = parseTargetedCacheControl(getField(headers, name))
    if (directives) return { directives, source: name }
    if (name === OWN_FIELD && surrogate?.targeted) return fromSurrogate()
  }
  return {
    directives: parseCacheControl(getField(headers, 'cache-control')),
    source: 'cache-control',
  }
}

/**
 * Request directives, honouring Pragma: "When the Cache-Control header field is not present
 * in a request, caches MUST consider the no-cache request pragma directive as having the
 * same effect as if 'Cache-Control: no-cache' were present."
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.4
 */
export function requestCacheControl(requestHeaders: Headers): CacheControl {
  const value = getField(requestHeaders, 'cache-control')
  if (value !== null) return parseCacheControl(value)
  const pragma = getField(requestHeaders, 'pragma')
  const noCache = pragma?.split(',').some((p) => p.trim().toLowerCase() === 'no-cache')
  return noCache ? { noCache: true } : {}
}
