/**
 * @module routes/admin/tokens
 * `/_admin/zones/:zone/tokens[/:id]`: API tokens. The value is returned once, by the POST that
 * creates it, and stored only as its SHA-256. A caller can grant only what it holds: every
 * requested scope on every requested zone. Revoking keeps the row (audit rows name it); a caller
 * that cannot change every zone of a token only takes the token off its own zone.
 */
import { Hono } from 'hono'
import { createTokenSchema } from '../../../schemas/api/admin'
import { failure, success } from '../../admin/envelope'
import { allows, type Principal } from '../../admin/principal'
import { hashToken, newTokenId, newTokenValue } from '../../admin/token-secret'
import {
  getToken,
  insertTokenQuery,
  listActiveTokens,
  narrowTokenQuery,
  revokeTokenQuery,
  type TokenRecord,
} from '../../admin/token-store'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { commitAudited, configDb, existingZone, zoneParam } from './request'
import { validJson } from './validate'

const validTokenRequest = validJson(createTokenSchema, 'tokens')

export const tokenRoutes = new Hono<AdminEnv>()
  .post('/', requireScope('config:write'), validTokenRequest, existingZone, async (c) => {
    const body = c.req.valid('json')
    const zone = zoneParam(c)
    const zones = body.zones ?? [zone]
    const db = configDb(c)
    const principal = c.get('principal')
    for (const z of zones) {
      const missing = body.scopes.find(
        (scope) => !allows(principal, scope, z) && !(principal.kind === 'bootstrap')
      )
      if (missing) {
        return failure(403, {
          code: 'forbidden',
          message: `token ${principal.id} cannot grant ${missing} on zone ${z}: it does not hold it`,
        })
      }
    }
    const value = newTokenValue()
    const token = {
      id: newTokenId(),
      scopes: body.scopes,
      zones,
      description: body.description ?? null,
      createdAt: new Date(),
    }
    await commitAudited(c, insertTokenQuery(db, { ...token, hash: await hashToken(value) }), zone, {
      change: 'create',
      kind: 'token',
      ...token,
    })
    // The only answer that ever carries the value: it is not stored and cannot be shown again.
    return success({ ...token, revokedAt: null, token: value }, 201)
  })
  .get('/', requireScope('config:read'), existingZone, async (c) => {
    const zone = zoneParam(c)
    const db = configDb(c)
    const principal = c.get('principal')
    return success((await listActiveTokens(db, zone)).map((t) => asSeenBy(principal, t)))
  })
  .delete('/:id', requireScope('config:write'), async (c) => {
    const zone = zoneParam(c)
    const id = c.req.param('id')
    const db = configDb(c)
    const token = await getToken(db, id)
    if (!token || token.revokedAt !== null || !token.zones.includes(zone)) {
      return failure(404, {
        code: 'not_found',
        message: `no active token ${id} on zone ${zone}`,
      })
    }
    const now = new Date()
    // A token that also acts on zones the caller cannot change is only taken off this one: its
    // other zones' access is not this caller's to end.
    const principal = c.get('principal')
    const zones = token.zones.filter((z) => z !== zone)
    const revoke = token.zones.every((z) => allows(principal, 'config:write', z))
    const query = revoke ? revokeTokenQuery(db, id, now) : narrowTokenQuery(db, id, zones)
    await commitAudited(c, query, zone, { change: revoke ? 'revoke' : 'narrow', kind: 'token', id })
    const changed = revoke ? { ...token, revokedAt: now } : { ...token, zones }
    return success(asSeenBy(principal, changed))
  })

/** A token as `principal` may see it: of its zones, only the caller's. */
function asSeenBy(principal: Principal, token: TokenRecord): TokenRecord {
  const own = (z: string) =>
    allows(principal, 'config:read', z) || allows(principal, 'config:write', z)
  return { ...token, zones: token.zones.filter(own) }
}
