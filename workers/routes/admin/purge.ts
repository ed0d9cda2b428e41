/**
 * @module routes/admin/purge
 * Purge, as tools already speak it: Cloudflare's `POST /zones/:zone/purge_cache` (files, tags,
 * prefixes, hosts or everything; `"soft": true` or `Fastly-Soft-Purge: 1` for a soft purge) and
 * Fastly's `POST /zones/:zone/purge/:surrogate_key`. A purge is appended to the zone's purge log
 * and acknowledged only once it is durable; the log then pushes it to every region (see
 * purge/purge-log.ts). Purges are rate-limited per zone.
 */
import { Hono } from 'hono'
import { purgeAddress } from '../../../edge-cache/purge/purge-index'
import { type PurgeRequest, purgeLogFor } from '../../../edge-cache/purge/purge-log'
import { type PurgeBody, purgeBodySchema, surrogateKeySchema } from '../../../schemas/api/purge'
import { requestHost } from '../../../schemas/hosts'
import { auditQuery } from '../../admin/audit-log'
import { getZone } from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { TokenBuckets } from '../../admin/token-bucket'
import { recordPurge } from '../../metrics'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { type AdminContext, configDb, zoneNotFound, zoneParam } from './request'
import { validJson, validParam } from './validate'

/**
 * Per zone: a burst of 50 purge calls, then 10 a second. Not per token: a zone's owner mints
 * tokens at will, and the relays and tier shards its purges reach serve every zone.
 */
const purgeRate = new TokenBuckets({ capacity: 50, refillMs: 100 })

export const purgeRoutes = new Hono<AdminEnv>()
  .post(
    '/:zone/purge_cache',
    requireScope('purge'),
    validJson(purgeBodySchema, 'purge'),
    async (c) => {
      const body = c.req.valid('json')
      const soft = body.soft === true || c.req.header('fastly-soft-purge') === '1'
      return purge(c, toRequests(body, soft), 'envelope')
    }
  )
  .post(
    '/:zone/purge/:key',
    requireScope('purge'),
    // Hono has decoded the parameter once already: decoding it again would turn a key's `%`
    // into an escape (and `50%off` into a URIError, answered 500).
    validParam('key', surrogateKeySchema, 'purge.surrogate_key'),
    async (c) => {
      const soft = c.req.header('fastly-soft-purge') === '1'
      return purge(c, [{ kind: 'tag', value: c.req.valid('param').key, soft }], 'fastly')
    }
  )

async function purge(c: AdminContext, requests: PurgeRequest[], answer: 'envelope' | 'fastly') {
  const zone = zoneParam(c)
  const principal = c.get('principal')
  const now = c.var.clock.now()
  const waitMs = purgeRate.waitMs(zone, now)
  if (waitMs > 0) {
    return failure(
      429,
      { code: 'rate_limited', message: `too many purge requests for zone ${zone}` },
      { 'retry-after': String(Math.ceil(waitMs / 1000)) }
    )
  }
  purgeRate.take(zone, now)
  const db = configDb(c)
  const record = await getZone(db, zone)
  if (!record) return zoneNotFound(zone)
  const foreign = requests.find((r) => !belongsTo(r, record.hosts))
  if (foreign) {
    return failure(403, {
      code: 'cross_zone',
      message: `${foreign.value} is not served by zone ${zone}`,
    })
  }
  // Durable before acknowledged: append returns after the records are committed.
  const { seq } = await purgeLogFor(c.env.PURGE_LOG, zone).append(requests)
  recordPurge(requests[0]?.kind ?? 'none', requests.length, c.var.clock.now() - now)
  // Acknowledged once durable; the log pushes it on to the regions' relays and tier shards
  // (and to Cloudflare's purge API when configured) by itself.
  const id = `${zone}-${seq}`
  await auditQuery(
    db,
    {
      actor: principal.id,
      zone,
      method: c.req.method,
      path: c.req.path,
      summary: { purge: id, records: requests },
    },
    new Date(now)
  )
  return answer === 'fastly' ? c.json({ status: 'ok', id }) : success({ id })
}

function toRequests(body: PurgeBody, soft: boolean): PurgeRequest[] {
  if (body.files) {
    return body.files.map((file) => ({
      kind: 'url',
      value: purgeAddress(typeof file === 'string' ? file : file.url),
      soft,
    }))
  }
  if (body.tags) return body.tags.map((value) => ({ kind: 'tag', value, soft }))
  if (body.prefixes) {
    return body.prefixes.map((value) => ({ kind: 'prefix', value: purgeAddress(value), soft }))
  }
  if (body.hosts) {
    return body.hosts.map((value) => ({ kind: 'host', value: requestHost(value), soft }))
  }
  return [{ kind: 'everything', value: '', soft }]
}

/** A URL, prefix or host purge must name one of the zone's hosts (a `*` zone owns them all). */
function belongsTo(request: PurgeRequest, hosts: string[]): boolean {
  if (request.kind === 'tag' || request.kind === 'everything' || hosts.includes('*')) return true
  const host = requestHost((request.value.split('/')[0] ?? '').replace(/:\d+$/, ''))
  return hosts.some((h) => h === host || (h.startsWith('*.') && host.endsWith(h.slice(1))))
}
