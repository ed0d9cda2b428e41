/**
 * @module admin/token-secret
 * Admin API token values: generation, the hash that is stored instead of them, and constant-time
 * comparison. A token is `ecdn_` followed by 32 random bytes in base64url; only its SHA-256
 * is ever stored, and neither is ever logged.
 */

/** Every API token starts with this, so that secret scanners and people can recognise one. */
export const TOKEN_PREFIX = 'ecdn_'

/** @returns a fresh token value: `ecdn_` + 32 random bytes, base64url */
export function newTokenValue(): string {
  return TOKEN_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)))
}

/** @returns a fresh public token id, `tok_` + 12 random bytes in hex: it names, never grants */
export function newTokenId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `tok_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * @param value a token value as presented
 * @returns its SHA-256, base64url: what the `api_tokens` table stores
 */
export async function hashToken(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return base64url(new Uint8Array(digest))
}

/**
 * Compares two token hashes in constant time. Both are SHA-256 digests of the same length, so
 * the length check leaks nothing about either secret.
 */
export function sameHash(a: string, b: string): boolean {
  const encoder = new TextEncoder()
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right)
}

/**
 * Compares a presented token with a known secret without leaking, through timing, how much of
 * it matched: both sides are hashed first, then compared in constant time.
 */
export async function matchesSecret(presented: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([hashToken(presented), hashToken(secret)])
  return sameHash(a, b)
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}
