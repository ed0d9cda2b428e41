/**
 * @module middleware/admin-auth
 * Authentication and authorisation of the admin API. `Authorization: Bearer <token>` carries
 * either the bootstrap token (the `ADMIN_TOKEN` secret: every scope on every zone) or an API
 * token (scoped, limited to zones, stored as a SHA-256 hash). Tokens are compared as hashes in
 * constant time and never logged. Failed attempts are rate-limited per client IP with an
 * in-isolate token bucket: best effort (see admin/token-bucket.ts).
 */
import { drizzle } from 'drizzle-orm/d1'
import type { MiddlewareHandler } from 'hono'
import type { TokenScope } from '../../schemas/api/admin'
import { failure } from '../admin/envelope'
import { allows, BOOTSTRAP, type Principal } from '../admin/principal'
import { TokenBuckets } from '../admin/token-bucket'
import { hashToken, sameHash, TOKEN_PREFIX } from '../admin/token-secret'
import { findActiveToken } from '../admin/token-store'
import type { AppEnv } from '../app-env'
import { logJson } from '../tracing/log'

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
  now?: () => number
}

const CHALLENGE = 'Bearer realm="edge-cdn admin"'

/**
 * Authenticates the caller and sets `c.var.principal`, or answers 503 (no `ADMIN_TOKEN`: the
 * API is never open), 429 (too many failures from this IP, with Retry-After) or 401.
 * @param options the failure rate limit
 * @returns the middleware; its buckets live as long as the isolate
 */
export function adminAuth(options: AdminAuthOptions = {}): MiddlewareHandler<AdminEnv> {
  const failures = new TokenBuckets({
    capacity: options.failureBurst ?? 10,
    refillMs: options.failureRefillMs ?? 6000,
  })
  const now = options.now ?? Date.now
  return async (c, next) => {
    const secret = c.env.ADMIN_TOKEN
    if (!secret) {
      return failure(503, {
        code: 'admin_disabled',
        message: 'the admin API is disabled: set the ADMIN_TOKEN secret',
      })
    }
    // Set by Cloudflare's edge, which overwrites any value a client sends.
    const client = c.req.header('cf-connecting-ip') ?? 'unknown'
    const waitMs = failures.waitMs(client, now())
    if (waitMs > 0) {
      return failure(
        429,
        { code: 'rate_limited', message: 'too many failed authentication attempts' },
        { 'retry-after': String(Math.ceil(waitMs / 1000)) }
      )
    }
    const presented = bearerToken(c.req.header('authorization'))
    const principal =
      presented === undefined
        ? undefined
        : await authenticate(drizzle(c.env.CONFIG_DB), presented, secret)
    if (!principal) {
      failures.take(client, now())
      // Never the token itself, not even a prefix of it.
      logJson('warn', { adminAuth: 'rejected', client, presented: !!presented })
      return failure(
        401,
        presented === undefined
          ? { code: 'unauthorized', message: 'missing Authorization: Bearer <token>' }
          : { code: 'unauthorized', message: 'invalid or revoked token' },
        {
          'www-authenticate':
            presented === undefined ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`,
        }
      )
    }
    c.set('principal', principal)
    return next()
  }
}

/**
 * Lets the request through only if the caller holds `scope` on the zone named by the route's
 * `:zone` parameter; answers 403 otherwise.
 * @param scope the scope the route needs
 * @throws TypeError when the route has no `:zone` parameter (a programming error)
 */
export function requireScope(scope: TokenScope): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const zone = c.req.param('zone')
    if (zone === undefined) throw new TypeError(`expected a :zone parameter on ${c.req.path}`)
    const principal = c.get('principal')
    if (!allows(principal, scope, zone)) {
      return failure(403, {
        code: 'forbidden',
        message: `token ${principal.id} lacks ${scope} on zone ${zone}`,
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

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive). */
function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i)
  return match?.[1]
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
