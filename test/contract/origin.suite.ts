/**
 * @module test/contract/origin.suite
 * The behaviour every `Origin` adapter shares (origin/types.ts), as one vitest suite that each
 * adapter's test runs against a real backend: R2 (miniflare), S3 (moto) and HTTP (a static file
 * server on loopback). Runs in Node and in workerd alike, so it uses only web APIs.
 */
import { beforeAll, describe, it } from 'vitest'
import { InvalidObjectPathError } from '../../origin/errors'
import type { Origin, OriginRequest } from '../../origin/types'

export interface PutOptions {
  contentType?: string
  cacheControl?: string
  /** User metadata; served back as `x-amz-meta-<name>`. */
  metadata?: Record<string, string>
}

/** What an adapter is, where the contract differs between kinds of adapters. */
export interface OriginContractCapabilities {
  /**
   * The adapter derives an object key from the path itself (R2, S3), so a `.`/`..` segment must
   * throw `InvalidObjectPathError`. An HTTP origin is not key-based: the URL parser resolves dot
   * segments before the request leaves, so the server sees the normalized path instead.
   */
  keyBased: boolean
}

export interface OriginContractFixture {
  origin: Origin
  /** Stores `body` under `key` so that `origin` serves it at the path `/<key>`. */
  put(key: string, body: string | Uint8Array, opts?: PutOptions): Promise<void>
  capabilities: OriginContractCapabilities
}

const TEXT = 'abcdefghij'
const TEXT_TYPE = 'text/plain; charset=utf-8'
const TEXT_CACHE = 'public, max-age=300'
const META = { author: 'ada', 'build-id': '42' }
const BIG_SIZE = 5 * 1024 * 1024
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/
const MAPPED = ['etag', 'last-modified', 'content-type', 'cache-control', 'content-length']

/**
 * Registers the origin contract for one adapter.
 * @param name the adapter, shown in test names
 * @param setup called once before the suite: the adapter under test and a way to store objects
 *   it serves. Each run writes its objects below a fresh random directory.
 */
export function describeOriginContract(
  name: string,
  setup: () => Promise<OriginContractFixture>
): void {
  describe(`origin contract: ${name}`, () => {
    const dir = `contract-${crypto.randomUUID().slice(0, 8)}`
    const big = pattern(BIG_SIZE)
    let fixture: OriginContractFixture
    /** The ETag of TEXT as the origin reports it. */
    let etag: string
    let lastModified: string

    beforeAll(async () => {
      fixture = await setup()
      await Promise.all([
        fixture.put(`${dir}/text.txt`, TEXT, {
          contentType: TEXT_TYPE,
          cacheControl: TEXT_CACHE,
          metadata: META,
        }),
        fixture.put(`${dir}/big.bin`, big, { contentType: 'application/octet-stream' }),
        fixture.put(`${dir}/with space/100% sure=&@~.txt`, 'spaced', {
          contentType: 'text/plain',
        }),
        fixture.put(`${dir}/literal%2e.txt`, 'literal', { contentType: 'text/plain' }),
      ])
      const head = await fixture.origin.fetch(request('HEAD', `/${dir}/text.txt`))
      etag = head.headers.get('etag') ?? ''
      lastModified = head.headers.get('last-modified') ?? ''
    }, 60_000)

    const text = `/${dir}/text.txt`
    const fetch = (method: string, path: string, headers?: HeadersInit) =>
      fixture.origin.fetch(request(method, path, headers))

    it('GET answers 200 with the body and the mapped headers', async ({ expect }) => {
      const res = await fetch('GET', text)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(TEXT)
      expect(res.headers.get('content-type')).toBe(TEXT_TYPE)
      expect(res.headers.get('cache-control')).toBe(TEXT_CACHE)
      expect(res.headers.get('content-length')).toBe(String(TEXT.length))
      expect(res.headers.get('accept-ranges')).toBe('bytes')
      expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/)
      const modified = res.headers.get('last-modified') ?? ''
      expect(modified).toMatch(IMF_FIXDATE)
      expect(Math.abs(Date.parse(modified) - Date.now())).toBeLessThan(10 * 60_000)
    })

    it('HEAD answers 200 with the same headers and no body', async ({ expect }) => {
      const [get, head] = await Promise.all([fetch('GET', text), fetch('HEAD', text)])
      await get.body?.cancel()
      expect(head.status).toBe(200)
      expect(await head.text()).toBe('')
      for (const field of [...MAPPED, 'accept-ranges', 'x-amz-meta-author']) {
        expect(head.headers.get(field), field).toBe(get.headers.get(field))
      }
    })

    it.for(['GET', 'HEAD'])('%s of a missing object is a 404 value', async (method, { expect }) => {
      const res = await fetch(method, `/${dir}/missing.txt`)
      await res.body?.cancel()
      expect(res.status).toBe(404)
    })

    it.for([
      ['bytes=2-5', 'bytes 2-5/10', 'cdef'],
      ['bytes=-3', 'bytes 7-9/10', 'hij'],
      ['bytes=8-', 'bytes 8-9/10', 'ij'],
      ['bytes=5-100', 'bytes 5-9/10', 'fghij'],
    ] as const)('Range %s answers 206 with %s', async ([range, contentRange, body], { expect }) => {
      const res = await fetch('GET', text, { range })
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe(contentRange)
      expect(res.headers.get('content-length')).toBe(String(body.length))
      expect(res.headers.get('etag')).toBe(etag)
      expect(await res.text()).toBe(body)
    })

    it('an unsatisfiable Range answers 416 with the size', async ({ expect }) => {
      const res = await fetch('GET', text, { range: 'bytes=100-200' })
      await res.body?.cancel()
      expect(res.status).toBe(416)
      expect(res.headers.get('content-range')).toBe(`bytes */${TEXT.length}`)
    })

    it('If-None-Match with the current ETag answers 304 without a body', async ({ expect }) => {
      const res = await fetch('GET', text, { 'if-none-match': etag })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe(etag)
    })

    it.for([
      { when: 'in the future', offset: 60 * 60_000, status: 304 },
      { when: 'equal to Last-Modified', offset: 0, status: 304 },
      { when: 'a day before Last-Modified', offset: -24 * 60 * 60_000, status: 200 },
    ] as const)(
      'If-Modified-Since $when answers $status',
      async ({ offset, status }, { expect }) => {
        const since = new Date(Date.parse(lastModified) + offset).toUTCString()
        const res = await fetch('GET', text, { 'if-modified-since': since })
        expect(res.status).toBe(status)
        expect(await res.text()).toBe(status === 200 ? TEXT : '')
      }
    )

    it('If-None-Match takes precedence over If-Modified-Since', async ({ expect }) => {
      const since = new Date(Date.now() + 60 * 60_000).toUTCString()
      const res = await fetch('GET', text, {
        'if-none-match': '"another-version"',
        'if-modified-since': since,
      })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(TEXT)
    })

    it.for([
      { field: 'If-Match', value: '"another-version"' },
      { field: 'If-Unmodified-Since', value: 'Mon, 01 Jan 2001 00:00:00 GMT' },
    ] as const)('$field: $value answers 412', async ({ field, value }, { expect }) => {
      const res = await fetch('GET', text, { [field]: value })
      await res.body?.cancel()
      expect(res.status).toBe(412)
    })

    it('If-Match with the current ETag answers 200', async ({ expect }) => {
      const res = await fetch('GET', text, { 'if-match': etag })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(TEXT)
    })

    it('serves user metadata as x-amz-meta-*', async ({ expect }) => {
      const res = await fetch('GET', text)
      await res.body?.cancel()
      expect(res.headers.get('x-amz-meta-author')).toBe('ada')
      expect(res.headers.get('x-amz-meta-build-id')).toBe('42')
    })

    it('streams a 5 MiB object intact', async ({ expect }) => {
      const res = await fetch('GET', `/${dir}/big.bin`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-length')).toBe(String(BIG_SIZE))
      const received = new Uint8Array(await res.arrayBuffer())
      expect(received.byteLength).toBe(BIG_SIZE)
      expect(await sha256(received)).toBe(await sha256(big))
    })

    it('serves an exact byte range from the middle of a 5 MiB object', async ({ expect }) => {
      const start = 3_000_001
      const res = await fetch('GET', `/${dir}/big.bin`, { range: `bytes=${start}-${start + 999}` })
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${start + 999}/${BIG_SIZE}`)
      const received = new Uint8Array(await res.arrayBuffer())
      expect(await sha256(received)).toBe(await sha256(big.subarray(start, start + 1000)))
    })

    it.for([
      // Not `+`, `!`, `*`, `'`, `(`, `)`, `:`, `,`, `;`, `$` or non-ASCII: moto 5.1.1 computes
      // the SigV4 canonical URI of such keys differently from the SDK (SignatureDoesNotMatch).
      ['spaces, %, =, &, @ and ~', 'with space/100% sure=&@~.txt', 'spaced'],
      ['a literal %2e, encoded once more', 'literal%2e.txt', 'literal'],
    ] as const)(
      'finds a key with %s from its percent-encoded path',
      async ([, key, body], { expect }) => {
        const res = await fetch('GET', encodedPath(`${dir}/${key}`))
        expect(res.status).toBe(200)
        expect(await res.text()).toBe(body)
      }
    )

    it('never lets dot segments escape', async ({ expect }) => {
      const climbs = [`/${dir}/sub/../text.txt`, `/${dir}/sub/%2e%2e/text.txt`]
      if (fixture.capabilities.keyBased) {
        // Key-based: refuse before any request reaches the store.
        for (const path of [...climbs, '/../secret', `/%2e%2e/${dir}/text.txt`]) {
          await expect(fetch('GET', path), path).rejects.toBeInstanceOf(InvalidObjectPathError)
        }
        return
      }
      // URL-based: the URL parser resolves them, and never above the origin's root.
      for (const path of [...climbs, `/../../${dir}/text.txt`]) {
        const res = await fetch('GET', path)
        expect(res.status, path).toBe(200)
        expect(await res.text(), path).toBe(TEXT)
      }
    })
  })
}

function request(method: string, path: string, headers?: HeadersInit): OriginRequest {
  return { method, path, search: '', headers: new Headers(headers) }
}

/** `/`-separated segments, each percent-encoded. */
function encodedPath(key: string): string {
  return `/${key.split('/').map(encodeURIComponent).join('/')}`
}

/** Deterministic bytes that differ in every position of a 251-byte cycle and across cycles. */
function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 7 + (i >>> 11)) % 251
  return out
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
