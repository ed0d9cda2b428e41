/**
 * Proof by inspection, for residency tests inside workerd: every place a URL's bytes are kept
 * after traffic — the L1 cache of each PoP used, every tier shard of every region (its SQLite
 * entries), and every object in every R2 bucket binding the Worker has (tier bodies carry their
 * URL and residency in custom metadata, tier/bodies.ts).
 */
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { secondaryKey } from '../../edge-cache/secondary-key'
import { L1Cache } from '../../edge-cache/store/l1'
import type { CacheTier } from '../../edge-cache/tier/cache-tier'
import { REGIONS, SHARED_TIER_BUCKET } from '../../schemas/regions'

/** Every R2 bucket binding of the Worker: the origin's, the shared tier bucket, each region's. */
export const R2_BINDINGS = [
  'ORIGIN_BUCKET',
  SHARED_TIER_BUCKET,
  ...REGIONS.flatMap((r) => (r.tierBucket ? [r.tierBucket.binding] : [])),
] as const

/** The tier bucket binding of a region. */
export function tierBucketOf(region: string): string {
  const binding = REGIONS.find((r) => r.name === region)?.tierBucket?.binding
  if (!binding) throw new Error(`region ${region} has no tier bucket`)
  return binding
}

function bucket(binding: string): R2Bucket {
  const candidate: unknown = Reflect.get(env, binding)
  if (typeof candidate !== 'object' || candidate === null || !('list' in candidate)) {
    throw new Error(`${binding} is not an R2 bucket binding`)
  }
  return candidate as R2Bucket
}

/** A tier body found in an R2 bucket. */
export interface R2Body {
  binding: string
  key: string
  size: number
  url: string
  residency: string
}

/** Every tier body in every R2 bucket binding, listed page by page. */
export async function r2Bodies(): Promise<R2Body[]> {
  const found: R2Body[] = []
  for (const binding of R2_BINDINGS) {
    let cursor: string | undefined
    do {
      const page = await bucket(binding).list({ cursor, include: ['customMetadata'] })
      for (const object of page.objects) {
        const url = object.customMetadata?.url
        if (url === undefined) continue // not a tier body (an origin object)
        const residency = object.customMetadata?.residency ?? ''
        found.push({ binding, key: object.key, size: object.size, url, residency })
      }
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
  }
  return found
}

/**
 * @param url the primary cache key
 * @param pops the PoPs whose L1 caches to look in
 * @returns `l1:<POP>`, `tier:<region>:<n>` and `r2:<BINDING>` for each place holding it
 */
export async function whereStored(url: string, pops: readonly string[]): Promise<string[]> {
  const places: string[] = []
  for (const pop of pops) {
    const l1 = await L1Cache.open(pop)
    const lookup = await l1.get(url, (fields) => secondaryKey(fields, new Headers()))
    if ('entry' in lookup) {
      places.push(`l1:${pop}`)
      await lookup.entry.body?.cancel()
    }
  }
  // Only shards that were ever created can hold anything: 208 of them exist by name, and
  // starting each one to look inside would cost more than the test.
  const created = new Set((await listDurableObjectIds(env.CACHE_TIER)).map((id) => id.toString()))
  for (const region of REGIONS) {
    for (let n = 0; n < region.shards; n++) {
      const id = env.CACHE_TIER.idFromName(`tier:${region.name}:${n}`)
      if (!created.has(id.toString())) continue
      const stub = env.CACHE_TIER.get(id)
      const keys = await runInDurableObject(stub, (_instance: CacheTier, state) =>
        state.storage.sql
          .exec<{ primary_key: string }>('SELECT primary_key FROM entries')
          .toArray()
          .map((row) => row.primary_key)
      )
      if (keys.includes(url)) places.push(`tier:${region.name}:${n}`)
    }
  }
  for (const body of await r2Bodies()) {
    if (body.url === url) places.push(`r2:${body.binding}`)
  }
  return places
}

/**
 * Tier bodies sitting in a bucket other than their residency region's: must always be empty.
 * Content no rule pins may be anywhere; pinned content only in its region's tier bucket.
 */
export async function misplacedBodies(): Promise<R2Body[]> {
  return (await r2Bodies()).filter(
    (body) => body.residency !== '' && body.binding !== tierBucketOf(body.residency)
  )
}
