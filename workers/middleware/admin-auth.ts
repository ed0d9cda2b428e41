/**
 * @module middleware/admin-auth
 * Authentication and authorisation of the admin API. `Authorization: Bearer <token>` carries
 * either the bootstrap token (the `ADMIN_TOKEN` secret: every scope on every zone) or an API
 * token (scoped, limited to zones, stored as a SHA-256 hash). Tokens are compared as hashes in
 * constant time and never logged. Failed attempts are rate-limited per client IP with an
 * in-isolate token bucket: best effort (see admin/token-bucket.ts).
 */
import { drizzle } from 'drizzle-orm/d1'
import type { Context, MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { logJson } from '../../edge-cache/tracing/log'
import type { TokenScope } from '../../schemas/api/admin'
import { failure } from '../admin/envelope'
import { allows, BOOTSTRAP, type Principal } from '../admin/principal'
import { TokenBuckets } from '../admin/token-bucket'
import { hashToken, sameHash, TOKEN_PREFIX } from '../admin/token-secret'
import { findActiveToken } from '../admin/token-store'
import type { AppEnv } from '../app-env'

/** The Hono environment of the admin API: bindings, and the authenticated caller. */
export interface AdminEnv {
  Bindings: Env
  Variables: AppEnv['Variables'] & { principal: Principal }
}

export interface AdminAuthOptions {
  /** Failed attempts a client IP may make in a burst (default 10). */
  failureBurst?: number
  /** Milliseconds for a client IP to earn back one failed attempt (default 6000: 10 a minute). */
  failureRefillMs?: number
}

const CHALLENGE = 'Bearer realm="edge-cdn admin"'

/**
 * Authenticates the caller and sets `c.var.principal`, or answers 503 (no `ADMIN_TOKEN`: the
 * API is never open), 429 (too many failures from this IP, with Retry-After) or 401. Hono's
 * `bearerAuth` reads the `Authorization: Bearer <token>` field; a field that is not one counts
 * as no token.
 * @param options the failure rate limit
 * @returns the middleware; its buckets live as long as the isolate
 */
export function adminAuth(options: AdminAuthOptions = {}): MiddlewareHandler<AdminEnv> {
  const failures = new TokenBuckets({
    capacity: options.failureBurst ?? 10,
    refillMs: options.failureRefillMs ?? 6000,
  })
  const client = (c: Context<AdminEnv>) =>
    // Set by Cloudflare's edge, which overwrites any value a client sends.
    c.req.header('cf-connecting-ip') ?? 'unknown'
  const rejected = (presented: boolean) => (c: Context<AdminEnv>) => {
    failures.take(client(c), c.var.clock.now())
    // Never the token itself, not even a prefix of it.
    logJson('warn', { adminAuth: 'rejected', client: client(c), presented })
    return failure(
      401,
      presented
        ? { code: 'unauthorized', message: 'invalid or revoked token' }
        : { code: 'unauthorized', message: 'missing Authorization: Bearer <token>' },
      { 'www-authenticate': presented ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE }
    )
  }
  const bearer = bearerAuth<AdminEnv>({
    async verifyToken(token, c) {
      const secret = c.env.ADMIN_TOKEN ?? ''
      const principal = await authenticate(drizzle(c.env.CONFIG_DB), token, secret)
      if (principal) c.set('principal', principal)
      return principal !== undefined
    },
    noAuthenticationHeader: { message: rejected(false) },
    invalidAuthenticationHeader: { message: rejected(false) },
    invalidToken: { message: rejected(true) },
  })
  return async (c, next) => {
    if (!c.env.ADMIN_TOKEN) {
      return failure(503, {
        code: 'admin_disabled',
        message: 'the admin API is disabled: set the ADMIN_TOKEN secret',
      })
    }
    const waitMs = failures.waitMs(client(c), c.var.clock.now())
    if (waitMs > 0) {
      return failure(
        429,
        { code: 'rate_limited', message: 'too many failed authentication attempts' },
        { 'retry-after': String(Math.ceil(waitMs / 1000)) }
      )
    }
    return bearer(c, next)
  }
}

/**
 * Lets the request through only if the caller holds `scope` (or one of the alternatives) on the
 * zone named by the route's `:zone` parameter; answers 403 otherwise.
 * @param scope the scope the route needs
 * @param alternatives scopes that do as well
 * @throws TypeError when the route has no `:zone` parameter (a programming error)
 */
export function requireScope(
  scope: TokenScope,
  ...alternatives: TokenScope[]
): MiddlewareHandler<AdminEnv> {
  const needed = `${scope}${alternatives.map((a) => ` (or ${a})`).join('')}`
  return async (c, next) => {
    const zone = c.req.param('zone')
    if (zone === undefined) throw new TypeError(`expected a :zone parameter on ${c.req.path}`)
    const principal = c.get('principal')
    if (![scope, ...alternatives].some((s) => allows(principal, s, zone))) {
      return failure(403, {
        code: 'forbidden',
        message: `token ${principal.id} lacks ${needed} on zone ${zone}`,
      })
    }
    return next()
  }
}

/**
 * Lets only the bootstrap token through: what reaches beyond every zone (granting a secret or a
 * bucket) is never delegated to a zone's token, whatever its scopes.
 */
export function requireBootstrap(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const principal = c.get('principal')
    if (principal.kind !== 'bootstrap') {
      return failure(403, {
        code: 'forbidden',
        message: `token ${principal.id} cannot do this: it needs the bootstrap token`,
      })
    }
    return next()
  }
}

async function authenticate(
  db: Parameters<typeof findActiveToken>[0],
  presented: string,
  secret: string
): Promise<Principal | undefined> {
  const hash = await hashToken(presented)
  if (sameHash(hash, await hashToken(secret))) return BOOTSTRAP
  if (!presented.startsWith(TOKEN_PREFIX)) return undefined
  const found = await findActiveToken(db, hash)
  // The lookup is by hash already; comparing again in constant time costs nothing and keeps
  // the guarantee independent of how D1 compares strings.
  return found && sameHash(hash, found.hash) ? found.principal : undefined
}
