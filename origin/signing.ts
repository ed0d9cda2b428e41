/**
 * @module origin/signing
 * Authenticated origin pulls: every request to an HTTP origin that configures signing keys
 * carries an HMAC-SHA256 signature the origin can check with a few lines (README, "What an
 * origin receives"), so it can refuse anything that did not come through this CDN.
 *
 * Field (default `Edge-Signature`): `keyid=<id>, t=<unix seconds>, sig=<hex>` where `sig` is
 * HMAC-SHA256(key, `<METHOD>\n<host>\n<path and query>\n<t>`), with host, path and query exactly
 * as in the URL the CDN fetches (what the origin sees as Host and request target). The body is
 * not covered (TLS protects it in transit); the timestamp bounds replay to the window the origin
 * allows. `keyid` names the key, so an origin accepts two keys while one replaces the other.
 */

/** A signing key with its secret resolved. */
export interface SigningKey {
  id: string
  secret: string
}

/** The parts a signature covers. */
export interface SignedParts {
  method: string
  /** `host[:port]` of the URL fetched. */
  host: string
  /** Path and query of the URL fetched, e.g. `/a.css?v=1`. */
  target: string
  /** Unix time in seconds. */
  timestamp: number
}

/** @returns the string the HMAC is computed over */
export function canonicalString(parts: SignedParts): string {
  return `${parts.method.toUpperCase()}\n${parts.host}\n${parts.target}\n${parts.timestamp}`
}

/**
 * A signer for one origin: imports the key once, signs many requests.
 * @param key the key that signs (the first configured)
 * @returns a function computing the field value for a request
 */
export function signer(key: SigningKey): (parts: SignedParts) => Promise<string> {
  let imported: Promise<CryptoKey> | undefined
  return async (parts) => {
    imported ??= crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(key.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign']
    )
    const mac = await crypto.subtle.sign(
      'HMAC',
      await imported,
      new TextEncoder().encode(canonicalString(parts))
    )
    return `keyid=${key.id}, t=${parts.timestamp}, sig=${toHex(new Uint8Array(mac))}`
  }
}

/**
 * @param url the URL the CDN fetches from the origin
 * @param method the request method
 * @param nowMs the clock, in milliseconds
 */
export function partsFor(url: URL, method: string, nowMs: number): SignedParts {
  return {
    method,
    host: url.host,
    target: url.pathname + url.search,
    timestamp: Math.floor(nowMs / 1000),
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
