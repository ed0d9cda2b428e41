/**
 * @module hosts
 * Host names as zones claim them and as requests name them, in one canonical form: lower-case
 * ASCII (IDNs in punycode) without the trailing dot of a fully qualified name. Two spellings of
 * one host (`A.Example.COM.`, `bücher.example` and `xn--bcher-kva.example`) are then one host,
 * so no zone can claim another zone's host under a second spelling. Pure.
 */

const LABELS = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/
/** DNS's bound on a name, before and after IDN mapping (input that long never reaches the parser). */
const MAX_HOST_LENGTH = 253

/** Said wherever a claimed host is refused. */
export const ZONE_HOST_FORM =
  'a host name (shop.example.com), *. and a host name, or *: no scheme, port, path or empty label'

/**
 * @param hostname a request URL's hostname (the URL parser has lower-cased and punycoded it)
 * @returns the host it names: without the trailing dot (`a.example.com.` is `a.example.com`)
 */
export function requestHost(hostname: string): string {
  const host = hostname.toLowerCase()
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/**
 * @param claimed a host a zone claims: a host name, `*.` and a host name, or `*` (the catch-all)
 * @returns its canonical form, or undefined when it is none of these (`x.com:8080`,
 *   `https://x.com/`, `*.`, `a..b`) or longer than 253 code units
 */
export function canonicalZoneHost(claimed: string): string | undefined {
  if (claimed === '*') return claimed
  if (claimed.length > MAX_HOST_LENGTH) return undefined
  const wildcard = claimed.startsWith('*.')
  const name = canonicalName(wildcard ? claimed.slice(2) : claimed)
  if (name === undefined) return undefined
  const host = wildcard ? `*.${name}` : name
  return host.length <= MAX_HOST_LENGTH ? host : undefined
}

function canonicalName(name: string): string | undefined {
  // What the URL parser would take for a port, path, query, user or IPv6 literal: not a name.
  if (/[\s/?#@:[\]\\]/.test(name)) return undefined
  let hostname: string
  try {
    hostname = new URL(`http://${name}`).hostname
  } catch {
    return undefined
  }
  const host = requestHost(hostname)
  return LABELS.test(host) ? host : undefined
}
