/**
 * @module store/l1
 * L1: this PoP's Cache API, one named cache per colo. Each entry is stored as a 200 whose
 * headers carry the original response headers plus `EntryMeta`; the Cache API's own expiry is
 * set to how long the entry stays usable, and every freshness decision is made by the edge.
 *
 * A response with `Vary` is stored under a variant slot; the primary slot then holds a small
 * marker naming the Vary fields, so several variants of one URL coexist and a lookup costs at
 * most two Cache API reads.
 */
import { discard } from '../discard'
import { decodeMeta, ENTRY_META_HEADER, type EntryMeta, encodeMeta } from '../entry'
import { l1CacheTags } from '../purge/synthetic-tags'

export interface StoredEntry {
  meta: EntryMeta
  headers: Headers
  body: ReadableStream | null
}

export type L1Lookup = { entry: StoredEntry } | { miss: 'uri-miss' | 'vary-miss' }

const SLOT_ORIGIN = 'https://l1.edge-cache.internal/v1/'
const VARY_MARKER_HEADER = 'x-edge-vary-marker'

/** What the edge uses of a PoP's L1: its name, reads, writes, deletes and fill claims. */
export type L1Store = Pick<
  L1Cache,
  'name' | 'get' | 'put' | 'delete' | 'fillClaim' | 'claimFill' | 'releaseFill'
>

/** Cache API expiry of a fill claim: the time in its body decides; this only clears. */
const FILL_CLAIM_SECONDS = 5

export class L1Cache {
  /** The cache's name, `l1:<colo>`. */
  readonly name: string
  readonly #cache: Cache

  private constructor(name: string, cache: Cache) {
    this.name = name
    this.#cache = cache
  }

  /** Opens the cache of one PoP; locally every simulated PoP gets its own. */
  static async open(colo: string): Promise<L1Cache> {
    const name = `l1:${colo}`
    return new L1Cache(name, await caches.open(name))
  }

  /**
   * @param key the primary cache key
   * @param varyKeyOf computes the request's secondary key for a list of Vary fields
   */
  async get(key: string, varyKeyOf: (fields: string[]) => string): Promise<L1Lookup> {
    const primary = await this.#cache.match(slot(key))
    if (!primary) return { miss: 'uri-miss' }
    const marker = parseMarker(primary.headers.get(VARY_MARKER_HEADER))
    if (!marker) return toLookup(primary)
    await discard(primary.body)
    const fields = marker.fields === '' ? [] : marker.fields.split(',')
    const variant = await this.#cache.match(slot(key, `${marker.generation};${varyKeyOf(fields)}`))
    if (!variant) return { miss: 'vary-miss' }
    return toLookup(variant)
  }

  /**
   * @param retentionSeconds how long the entry stays usable (fresh + stale windows)
   */
  async put(
    key: string,
    meta: EntryMeta,
    headers: Headers,
    body: ReadableStream | null,
    retentionSeconds: number
  ): Promise<void> {
    const stored = new Headers(headers)
    const cacheControl = headers.get('cache-control') ?? undefined
    const age = headers.get('age') ?? undefined
    const contentEncoding = headers.get('content-encoding') ?? undefined
    const date = headers.get('date') ?? undefined
    stored.set(ENTRY_META_HEADER, encodeMeta({ ...meta, cacheControl, age, contentEncoding, date }))
    // The bytes are the representation as received, encoded or not. Labelled, the Cache API
    // would act on the label (gzip it again on put, or hand br back decoded); unlabelled and
    // stored "manual", they come back exactly as put, and the label is restored from meta.
    stored.delete('content-encoding')
    // `retentionSeconds` is already net of the response's age; the Cache API must not subtract
    // Age a second time.
    stored.set('cache-control', `max-age=${Math.ceil(retentionSeconds)}`)
    stored.delete('age')
    // The Cache API refuses Set-Cookie and would answer conditionals itself; neither may leak in.
    stored.delete('set-cookie')
    // Synthetic tags: Cloudflare's purge by tag (forwarded by the purge log) reaches this entry
    // for URL, host, prefix, tag and zone purges alike. The entry's own tags are in meta.
    if (meta.zone !== undefined) stored.set('cache-tag', l1CacheTags(meta.zone, key, meta.tags))
    const entry = () => new Response(body, { status: 200, headers: stored, encodeBody: 'manual' })
    if (meta.vary.length === 0) {
      await this.#cache.put(slot(key), entry())
      return
    }
    // Variants live under the marker's generation: deleting the marker orphans every variant,
    // so none can resurface after an invalidation when a new marker is written.
    const existing = await this.#cache.match(slot(key))
    const previous = existing ? parseMarker(existing.headers.get(VARY_MARKER_HEADER)) : undefined
    await discard(existing?.body)
    const fields = meta.vary.join(',')
    const generation =
      previous?.fields === fields ? previous.generation : crypto.randomUUID().slice(0, 8)
    const marker = new Headers({
      [VARY_MARKER_HEADER]: `${generation};${fields}`,
      'cache-control': `max-age=${Math.ceil(retentionSeconds)}`,
    })
    await Promise.all([
      this.#cache.put(slot(key), new Response(null, { status: 200, headers: marker })),
      this.#cache.put(slot(key, `${generation};${meta.varyKey}`), entry()),
    ])
  }

  /** Removes the entry, or the variant marker and with it every variant. */
  async delete(key: string): Promise<boolean> {
    return this.#cache.delete(slot(key))
  }

  /**
   * @returns until when an isolate of this PoP said it is refilling `key` (store/pop-fill.ts),
   *   or undefined when none did
   */
  async fillClaim(key: string): Promise<number | undefined> {
    const claim = await this.#cache.match(fillSlot(key))
    if (!claim) return undefined
    const until = Number(await claim.text())
    return Number.isFinite(until) ? until : undefined
  }

  /** Tells the PoP's other isolates that this one refills `key` until `until`. */
  async claimFill(key: string, until: number): Promise<void> {
    const headers = { 'cache-control': `max-age=${FILL_CLAIM_SECONDS}` }
    await this.#cache.put(fillSlot(key), new Response(String(until), { headers }))
  }

  /** The refill ended (stored or not): waiting isolates stop waiting. */
  async releaseFill(key: string): Promise<void> {
    await this.#cache.delete(fillSlot(key))
  }
}

function fillSlot(key: string): Request {
  return new Request(`${SLOT_ORIGIN}${encodeURIComponent(key)}?fill`)
}

function slot(key: string, varyKey?: string): Request {
  const url = SLOT_ORIGIN + encodeURIComponent(key)
  return new Request(varyKey === undefined ? url : `${url}?vary=${encodeURIComponent(varyKey)}`)
}

function parseMarker(value: string | null): { generation: string; fields: string } | undefined {
  if (value === null) return undefined
  const split = value.indexOf(';')
  if (split < 0) return undefined
  return { generation: value.slice(0, split), fields: value.slice(split + 1) }
}

function toLookup(response: Response): L1Lookup {
  const meta = decodeMeta(response.headers.get(ENTRY_META_HEADER))
  if (!meta) return { miss: 'uri-miss' }
  const headers = new Headers(response.headers)
  headers.delete(ENTRY_META_HEADER)
  headers.delete('cache-tag')
  // The Cache API rewrites these (Miniflare's also Date, at put); the response's own are in meta.
  headers.delete('cf-cache-status')
  headers.delete('cache-control')
  headers.delete('age')
  headers.delete('date')
  if (meta.cacheControl !== undefined) headers.set('cache-control', meta.cacheControl)
  if (meta.age !== undefined) headers.set('age', meta.age)
  if (meta.contentEncoding !== undefined) headers.set('content-encoding', meta.contentEncoding)
  if (meta.date !== undefined) headers.set('date', meta.date)
  return { entry: { meta, headers, body: response.body } }
}
