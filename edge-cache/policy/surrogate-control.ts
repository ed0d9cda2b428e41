/**
 * @module surrogate-control
 * `Surrogate-Control` and `Surrogate-Capability` of the W3C Edge Architecture Note (2001), the
 * fields Akamai, Fastly, Varnish and Squid honour alongside RFC 9213's targeted fields.
 * This module only selects the directives that apply to this platform and rewrites them as
 * Cache-Control text; `selectCacheControl` (cache-control.ts) decides where they rank.
 * @see https://www.w3.org/TR/edge-arch/
 */

import { splitList } from './fields'

/** The device token this platform answers to in `Surrogate-Control: max-age=60;edge-cdn`. */
export const SURROGATE_TOKEN = 'edge-cdn'

/**
 * What every origin request announces (Edge Architecture §2.1): "Surrogate-Capability:
 * device-token=capabilities", so that an origin can target directives at this platform.
 */
export const SURROGATE_CAPABILITY = `${SURROGATE_TOKEN}="Surrogate/1.0"`

/** The Surrogate-Control directives that apply here, as Cache-Control field text. */
export interface SurrogateDirectives {
  /** e.g. `max-age=60, stale-if-error=30` for `max-age=60+30`. */
  cacheControl: string
  /** True when they were targeted at {@link SURROGATE_TOKEN} (`;edge-cdn`). */
  targeted: boolean
}

/** `token [ "=" ( token / quoted-string ) ]`, no whitespace around "=" (as Cache-Control). */
const DIRECTIVE =
  /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:=(?:"(?:[^"\\]|\\.)*"|[A-Za-z0-9!#$%&'*+.^_`|~-]+))?$/

/** Splits `directive;device-token` at the last `;` outside a quoted string. */
function splitDevice(member: string): [string, string | undefined] {
  let quoted = false
  let cut = -1
  for (let i = 0; i < member.length; i++) {
    const c = member.charAt(i)
    if (quoted && c === '\\') i++
    else if (c === '"') quoted = !quoted
    else if (c === ';' && !quoted) cut = i
  }
  if (cut < 0) return [member.trim(), undefined]
  return [
    member.slice(0, cut).trim(),
    member
      .slice(cut + 1)
      .trim()
      .toLowerCase(),
  ]
}

/**
 * "max-age = delta-seconds [ '+' delta-seconds ]": the second value is how long the surrogate
 * may keep serving the response once stale when it cannot reach the origin, which is
 * RFC 5861's stale-if-error. `no-store-remote` ("surrogates not close to the origin MUST NOT
 * store") applies to a CDN, so it reads as no-store.
 */
function asCacheControl(directive: string): string {
  const lower = directive.toLowerCase()
  if (lower === 'no-store-remote') return 'no-store'
  const extended = /^max-age=([0-9]+)\+([0-9]+)$/.exec(lower)
  if (extended) return `max-age=${extended[1]}, stale-if-error=${extended[2]}`
  return directive
}

/** Directives that make Surrogate-Control govern caching; `content="ESI/1.0"` alone does not. */
const GOVERNING = /^(max-age|no-store|no-store-remote)(=|$)/i

/**
 * The directives of a Surrogate-Control field value that apply to this platform, or undefined
 * when none of them governs caching (then Cache-Control does). Members are
 * `directive [";" device-token]`: a member without a token applies to every surrogate, one
 * with {@link SURROGATE_TOKEN} to this platform only, one with another token to someone else
 * (ignored). When any member targets this platform, the untargeted ones are ignored: the
 * origin has said what it wants from us in particular. A malformed member (e.g. `max-age =100`)
 * is ignored.
 * @param value the field value, as `Headers.get` returns it
 * @param token this platform's device token
 * @see https://www.w3.org/TR/edge-arch/ (§2.2 Surrogate-Control, §2.3 targeting)
 */
export function surrogateDirectives(
  value: string | null | undefined,
  token: string = SURROGATE_TOKEN
): SurrogateDirectives | undefined {
  if (typeof value !== 'string') return undefined
  const mine: string[] = []
  const everyone: string[] = []
  for (const member of splitList(value)) {
    const [directive, device] = splitDevice(member)
    if (!DIRECTIVE.test(directive)) continue
    if (device === undefined) everyone.push(directive)
    else if (device === token.toLowerCase()) mine.push(directive)
  }
  const chosen = mine.length > 0 ? mine : everyone
  if (!chosen.some((d) => GOVERNING.test(d))) return undefined
  return { cacheControl: chosen.map(asCacheControl).join(', '), targeted: mine.length > 0 }
}
