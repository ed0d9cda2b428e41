/**
 * R2 origins with one bucket per region, end to end through the edge: content a residency rule
 * pins to the EU is read from the origin's EU bucket only, for EU and US clients alike; an object
 * missing there is a 404 even when the default bucket has it (never a fallback); a region the
 * origin keeps no bucket in fails with `no_regional_bucket`; unpinned content comes from the
 * default bucket. `TEST_ORIGIN_EU` is a test-only R2 binding (test/vitest.config.ts).
 */
import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, it } from 'vitest'
import type { ResidencyRuleSpec } from '../../schemas/api/config'
import { residencyRulesTable } from '../../schemas/config/tables'
import { putZone } from '../support/config'
import { DFW, FRA, SIN } from '../support/pops'

const HOST = 'r2-regional.test'
const PREFIX = 'r2-regional/'
const POPS = {
  FRA,
  DFW,
  SIN,
}

function get(path: string, pop: keyof typeof POPS) {
  return exports.default.fetch(
    new Request(`https://${HOST}${path}`, { cf: POPS[pop] } as RequestInit)
  )
}

beforeAll(async () => {
  const meta = { httpMetadata: { cacheControl: 'public, max-age=600' } }
  await Promise.all([
    env.ORIGIN_BUCKET.put(`${PREFIX}eu/doc.txt`, 'default copy', meta),
    env.ORIGIN_BUCKET.put(`${PREFIX}eu/only-default.txt`, 'default only', meta),
    env.ORIGIN_BUCKET.put(`${PREFIX}apac/doc.txt`, 'default copy', meta),
    env.ORIGIN_BUCKET.put(`${PREFIX}open/doc.txt`, 'open: default bucket', meta),
    env.TEST_ORIGIN_EU.put(`${PREFIX}eu/doc.txt`, 'eu copy', meta),
    env.TEST_ORIGIN_EU.put(`${PREFIX}open/doc.txt`, 'open: eu bucket', meta),
  ])
  await putZone(env.CONFIG_DB, {
    name: 'r2-regional',
    hosts: [HOST],
    origin: {
      kind: 'r2',
      binding: 'ORIGIN_BUCKET',
      prefix: PREFIX,
      regions: { eu: { binding: 'TEST_ORIGIN_EU' } },
    },
  })
  const rules: Record<string, ResidencyRuleSpec> = {
    'eu-data': { pathPrefix: '/eu/', region: 'eu', mode: 'cache-in-region' },
    'apac-data': { pathPrefix: '/apac/', region: 'apac', mode: 'cache-in-region' },
  }
  await drizzle(env.CONFIG_DB)
    .insert(residencyRulesTable)
    .values(Object.entries(rules).map(([name, spec]) => ({ zone: 'r2-regional', name, spec })))
    .onConflictDoNothing()
})

describe('R2 origin with regional buckets', () => {
  it('reads EU-resident content from the EU bucket, for EU and US clients', async ({ expect }) => {
    for (const pop of ['DFW', 'FRA'] as const) {
      const res = await get('/eu/doc.txt', pop)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('eu copy')
    }
  })

  it('answers 404 for an object missing from the EU bucket, never the default copy', async ({
    expect,
  }) => {
    const res = await get('/eu/only-default.txt', 'FRA')
    expect(res.status).toBe(404)
    expect(await res.text()).not.toContain('default only')
  })

  it('fails with no_regional_bucket for a region the origin keeps no bucket in', async ({
    expect,
  }) => {
    const res = await get('/apac/doc.txt', 'SIN')
    expect(res.status).toBe(500)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'no_regional_bucket'
    )
  })

  it('reads content no rule pins from the default bucket', async ({ expect }) => {
    const res = await get('/open/doc.txt', 'FRA')
    expect(await res.text()).toBe('open: default bucket')
  })
})
