/**
 * Residency of large bodies, inspected in every store: EU-resident objects of 20 MiB and
 * 200 MiB, asked from the EU (FRA) and the US (DFW), end up in the EU tier bucket and in no
 * other bucket, shard or cache. Runs in the `workers-defaults` project: the tier's default
 * shard budget (1 GiB; the `workers` project shrinks it to 8 MiB for capacity tests, which
 * would refuse these bodies) and the tests' 1 MiB TIER_R2_THRESHOLD_BYTES.
 */
import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import { residencyRulesTable } from '../../../schemas/config/tables'
import { putZone } from '../../support/config'
import { eventually } from '../../support/eventually'
import { originControl } from '../../support/origin-control'
import { DFW, FRA, SIN } from '../../support/pops'
import { misplacedBodies, r2Bodies, whereStored } from '../../support/where-stored'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const MiB = 1024 * 1024
const HOST = 'archive.test'

const POPS = {
  FRA,
  DFW,
  SIN,
} as const

function get(path: string, pop: keyof typeof POPS) {
  return exports.default.fetch(
    new Request(`https://${HOST}${path}`, { cf: POPS[pop] } as RequestInit)
  )
}

/** SHA-256 of a stream, hashed as it arrives (never the whole body in memory). */
async function digest(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) throw new Error('no body')
  const hasher = new crypto.DigestStream('SHA-256')
  await body.pipeTo(hasher)
  return Buffer.from(await hasher.digest).toString('hex')
}

/** Places holding the URL once the tier's background move to R2 is done. */
async function placesOnceInR2(path: string): Promise<string[]> {
  const places = () => whereStored(`https://${HOST}${path}`, Object.keys(POPS))
  const inR2 = async () => (await places()).some((p) => p.startsWith('r2:'))
  if (!(await eventually(inR2, { timeoutMs: 20_000 }))) throw new Error(`${path} never reached R2`)
  return places()
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'archive',
    hosts: [HOST],
    origin: { kind: 'http', url: originUrl },
  })
  await drizzle(env.CONFIG_DB)
    .insert(residencyRulesTable)
    .values({
      zone: 'archive',
      name: 'eu-archive',
      spec: { pathPrefix: '/eu/', region: 'eu', mode: 'cache-in-region' },
    })
    .onConflictDoNothing()
})

describe('EU-resident archival footage', () => {
  it.for([
    { size: 20 * MiB, path: '/eu/reel-20m.mp4' },
    { size: 200 * MiB, path: '/eu/reel-200m.mp4' },
  ])(
    'keeps $size bytes asked from DFW and FRA in the EU tier bucket only',
    { timeout: 180_000 },
    async ({ size, path }, { expect }) => {
      await origin.script(path, { bytes: size })
      const expected = await digest((await fetch(`${originUrl}${path}`)).body)
      const ownFetches = (await origin.hits(path)).length

      // The US PoP first: it stores nothing and is served through the EU tier.
      const dfw = await get(path, 'DFW')
      expect(dfw.status).toBe(200)
      expect(dfw.headers.get('edge-residency')).toBe('eu; mode=cache-in-region; rule=eu-archive')
      expect(dfw.headers.get('cache-status')).toMatch(
        /^edge-tier; fwd=uri-miss; fwd-status=200; stored, edge-l1; fwd=uri-miss; .*detail=resident-elsewhere$/
      )
      expect(await digest(dfw.body)).toBe(expected)

      const fra = await get(path, 'FRA')
      expect(fra.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
      expect(await digest(fra.body)).toBe(expected)

      const places = await placesOnceInR2(path)
      expect(places.filter((p) => p.startsWith('r2:'))).toEqual(['r2:TIER_BUCKET_EU'])
      expect(places.filter((p) => p.startsWith('tier:'))).toHaveLength(1)
      expect(places.every((p) => /^(r2:TIER_BUCKET_EU|tier:eu:\d+|l1:FRA)$/.test(p))).toBe(true)
      const [object] = (await r2Bodies()).filter((b) => b.url === `https://${HOST}${path}`)
      expect(object).toMatchObject({ size, residency: 'eu', binding: 'TIER_BUCKET_EU' })

      // Asked from the US again once it is in R2: an EU tier hit, read from the EU bucket.
      const again = await get(path, 'DFW')
      expect(again.headers.get('cache-status')).toMatch(
        /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss; .*detail=resident-elsewhere$/
      )
      expect(await digest(again.body)).toBe(expected)
      // One origin fetch for three requests from two regions: all went through one EU tier.
      expect(await origin.hits(path)).toHaveLength(ownFetches + 1)
    }
  )

  it('leaves no resident body in another region’s bucket', async ({ expect }) => {
    expect((await r2Bodies()).filter((b) => b.residency === 'eu')).toHaveLength(2)
    expect(await misplacedBodies()).toEqual([])
  })
})
