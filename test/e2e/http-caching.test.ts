/**
 * HTTP caching conformance, end to end: `wrangler dev` in proxy mode in front of a scripted
 * origin, driven over real HTTP. Every test uses its own path and counts the origin's hits.
 */
import { request as httpRequest } from 'node:http'
import { beforeAll, describe, type ExpectStatic, it } from 'vitest'
import { eventually } from '../support/eventually'
import { generated, type OriginHit, type OriginScript } from '../support/origin'
import { FRA } from '../support/pops'
import { useProxyEdge } from '../support/proxy-edge'

const proxy = useProxyEdge()
const control = proxy.control

/** A request entering at a simulated PoP (Frankfurt unless told): wrangler reads MF-CF-Blob. */
function get(path: string, init: RequestInit = {}, pop = FRA) {
  const headers = new Headers(init.headers)
  headers.set('mf-cf-blob', JSON.stringify(pop))
  return fetch(`${proxy.url}${path}`, { ...init, headers })
}

/** A GET whose body is read, so the edge has finished streaming it (and its L1 copy). */
async function read(path: string, init: RequestInit = {}) {
  const res = await get(path, init)
  return { res, status: res.status, body: await res.text(), headers: res.headers }
}

async function hits(path: string): Promise<OriginHit[]> {
  return control.hits(path)
}

/** Polls the origin until `path` has at least `count` hits or `timeoutMs` passes. */
async function waitForHits(path: string, count: number, timeoutMs = 3000): Promise<OriginHit[]> {
  await eventually(async () => (await hits(path)).length >= count, { timeoutMs })
  return hits(path)
}

/**
 * A request over node:http, for what fetch will not send as given: a Connection field, and
 * conditionals (fetch adds `Cache-Control: no-cache` to any request with If-None-Match or
 * If-Range). Asks for identity coding so the body is the stored bytes.
 */
function raw(path: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{ status: number; headers: Headers; data: Buffer }>((resolve, reject) => {
    const url = new URL(path, proxy.url)
    const all = { 'accept-encoding': 'identity', ...headers, 'mf-cf-blob': JSON.stringify(FRA) }
    const req = httpRequest(url, { method, agent: false, headers: all }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const out = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') out.set(name, value)
        }
        resolve({ status: res.statusCode ?? 0, headers: out, data: Buffer.concat(chunks) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Keeps the dev runtime from compressing a text body (which also drops Content-Length). */
const BINARY = { 'content-type': 'application/octet-stream' }

const MISS_STORED =
  'edge-tier; fwd=uri-miss; fwd-status=200; stored, edge-l1; fwd=uri-miss; fwd-status=200; stored'
const MISS_NOT_STORED =
  'edge-tier; fwd=uri-miss; fwd-status=200, edge-l1; fwd=uri-miss; fwd-status=200'
const MISS_STORED_IN_TIER =
  'edge-tier; fwd=uri-miss; fwd-status=200; stored, edge-l1; fwd=uri-miss; fwd-status=200'
const L1_HIT = /^edge-l1; hit; ttl=\d+$/

const body = (path: string) => `origin body for ${path}`

/**
 * Scripts `path` and reads it twice: the origin must answer both, as the edge stored nothing.
 * @param fields header values both answers must carry (null: absent)
 */
async function expectNotStored(
  expect: ExpectStatic,
  path: string,
  script: OriginScript,
  fields: Record<string, string | null>,
  init: RequestInit = {}
) {
  await control.script(path, script)
  for (const r of [await read(path, init), await read(path, init)]) {
    expect(r.status).toBe(200)
    expect(r.body).toBe(body(path))
    for (const [name, value] of Object.entries(fields))
      expect(r.headers.get(name), name).toBe(value)
    expect(r.headers.get('cache-status')).toBe(MISS_NOT_STORED)
  }
  expect(await hits(path)).toHaveLength(2)
}

/** Scripts `path` (when given a script) and reads it once: the edge must store the answer. */
async function readStored(
  expect: ExpectStatic,
  path: string,
  script?: OriginScript,
  init: RequestInit = {}
) {
  if (script) await control.script(path, script)
  const first = await read(path, init)
  expect(first.headers.get('cache-status')).toBe(MISS_STORED)
  return first
}

/** Reads `path` again: the origin's 200 must come from the PoP's L1. */
async function readHit(expect: ExpectStatic, path: string, init: RequestInit = {}) {
  const res = await read(path, init)
  expect(res.status).toBe(200)
  expect(res.body).toBe(body(path))
  expect(res.headers.get('cache-status')).toMatch(L1_HIT)
  return res
}

/**
 * Scripts `path` to answer already stale (`Age` equal to max-age) and reads it once: the tier
 * stores it to revalidate (it has a validator); L1, with no stale window to serve it in, keeps
 * only what is still fresh.
 */
async function readStoredStale(expect: ExpectStatic, path: string, script: OriginScript) {
  await control.script(path, script)
  const first = await read(path)
  expect(first.headers.get('cache-status')).toBe(MISS_STORED_IN_TIER)
  return first
}

/** A test title, and what the origin answers and both answers must carry (`expectNotStored`). */
type NotStoredCase = [
  string,
  { path: string; script: OriginScript; fields: Record<string, string | null> },
]

describe('storing responses (RFC 9111 §3)', () => {
  it.for<NotStoredCase>([
    [
      'does not store a response with no-store (RFC 9111 §3)',
      {
        path: '/hc/store/no-store',
        script: { headers: { 'cache-control': 'no-store' } },
        fields: { 'cache-control': 'no-store' },
      },
    ],
    [
      'does not store a private response in the shared cache (RFC 9111 §5.2.2.7)',
      {
        path: '/hc/store/private',
        script: { headers: { 'cache-control': 'private, max-age=60' } },
        fields: { 'cache-control': 'private, max-age=60' },
      },
    ],
    [
      'does not store a response carrying Set-Cookie by default (RFC 9111 §3, §7.3)',
      {
        path: '/hc/store/set-cookie',
        script: { headers: { 'set-cookie': 'session=abc; Path=/' } },
        fields: { 'set-cookie': 'session=abc; Path=/' },
      },
    ],
    [
      'does not reuse a response with neither freshness nor a validator (RFC 9111 §3, §4.2.2)',
      {
        path: '/hc/store/no-freshness',
        script: { removeHeaders: ['cache-control', 'etag'] },
        fields: { etag: null },
      },
    ],
  ])('%s', async ([, { path, script, fields }], { expect }) => {
    await expectNotStored(expect, path, script, fields)
  })

  it('does not store a response to an authorized request without explicit permission (RFC 9111 §3.5)', async ({
    expect,
  }) => {
    const path = '/hc/store/auth'
    const auth = { headers: { authorization: 'Bearer secret' } }
    await expectNotStored(expect, path, { headers: { 'cache-control': 'max-age=60' } }, {}, auth)
    expect((await hits(path))[0]?.headers.authorization).toBe('Bearer secret')
  })

  it('stores a response to an authorized request with public, s-maxage or must-revalidate (RFC 9111 §3.5)', async ({
    expect,
  }) => {
    const cases = {
      public: 'public, max-age=60',
      's-maxage': 's-maxage=60',
      'must-revalidate': 'max-age=60, must-revalidate',
    }
    const auth = { headers: { authorization: 'Bearer secret' } }
    for (const [name, cacheControl] of Object.entries(cases)) {
      const path = `/hc/store/auth-${name}`
      const script = { headers: { 'cache-control': cacheControl } }
      const first = await readStored(expect, path, script, auth)
      expect(first.status).toBe(200)
      const second = await readHit(expect, path, auth)
      expect(second.headers.get('cache-control'), name).toBe(cacheControl)
      expect(await hits(path), name).toHaveLength(1)
    }
  })

  it('stores a 404 with max-age, a heuristically cacheable status (RFC 9111 §3, RFC 9110 §15.5.5)', async ({
    expect,
  }) => {
    const path = '/hc/store/not-found'
    await control.script(path, {
      status: 404,
      body: 'no such thing',
      headers: { 'cache-control': 'max-age=60' },
    })
    const first = await read(path)
    expect(first.status).toBe(404)
    expect(first.body).toBe('no such thing')
    expect(first.headers.get('cache-status')).toBe(
      'edge-tier; fwd=uri-miss; fwd-status=404; stored, edge-l1; fwd=uri-miss; fwd-status=404; stored'
    )
    const second = await read(path)
    expect(second.status).toBe(404)
    expect(second.body).toBe('no such thing')
    expect(second.headers.get('cache-status')).toMatch(L1_HIT)
    expect(await hits(path)).toHaveLength(1)
  })
})

describe('freshness (RFC 9111 §4.2)', () => {
  // https://github.com/edge-cdn/edge-cdn/issues/17: Miniflare's Cache API rewrote Date at put
  // (cache-tests.fyi `other-date-update`, flaky when the put fell in the next second).
  it("keeps the origin's Date on an L1 hit and counts the age from it (RFC 9111 §4.2.3)", async ({
    expect,
  }) => {
    const path = '/hc/fresh/origin-date'
    const date = new Date(Math.floor(Date.now() / 1000) * 1000 - 30_000).toUTCString()
    await readStored(expect, path, { headers: { 'cache-control': 'max-age=600', date } })
    const second = await readHit(expect, path)
    expect(second.headers.get('date')).toBe(date)
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(30)
    expect(await hits(path)).toHaveLength(1)
  })

  it('lets s-maxage override max-age in a shared cache (RFC 9111 §4.2.1, §5.2.2.10)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/s-maxage'
    await readStored(expect, path, { headers: { 'cache-control': 's-maxage=60, max-age=0' } })
    const second = await readHit(expect, path)
    expect(second.headers.get('cache-control')).toBe('s-maxage=60, max-age=0')
    const ttl = Number(/ttl=(\d+)/.exec(second.headers.get('cache-status') ?? '')?.[1])
    expect(ttl).toBeGreaterThan(50)
    expect(ttl).toBeLessThanOrEqual(60)
    expect(await hits(path)).toHaveLength(1)
  })

  it.for<[string, { path: string; expires: string; fields: Record<string, string> }]>([
    [
      'treats an Expires in the past as already stale (RFC 9111 §4.2.1, §5.3)',
      {
        path: '/hc/fresh/expires-past',
        expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
        fields: { expires: 'Thu, 01 Jan 1970 00:00:00 GMT' },
      },
    ],
    [
      'treats an invalid Expires as a time in the past (RFC 9111 §5.3)',
      {
        path: '/hc/fresh/expires-invalid',
        expires: '0',
        fields: {},
      },
    ],
  ])('%s', async ([, { path, expires, fields }], { expect }) => {
    await control.script(path, { removeHeaders: ['cache-control', 'etag'], headers: { expires } })
    for (const r of [await read(path), await read(path)]) {
      expect(r.status).toBe(200)
      expect(r.body).toBe(body(path))
      for (const [name, value] of Object.entries(fields)) expect(r.headers.get(name)).toBe(value)
      expect(r.headers.get('cache-status')).not.toMatch(/hit/)
    }
    expect(await hits(path)).toHaveLength(2)
  })

  it('sends Age on hits, at least the age the origin reported (RFC 9111 §4.2.3, §5.1)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/age'
    const first = await readStored(expect, path, {
      headers: { 'cache-control': 'max-age=60', age: '10' },
    })
    expect(Number(first.headers.get('age'))).toBeGreaterThanOrEqual(10)
    const second = await readHit(expect, path)
    // age_value 10 is part of corrected_initial_age, so Age >= 10 and ttl <= 60 - 10
    expect(second.headers.get('age')).toMatch(/^\d+$/)
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(10)
    const ttl = Number(/ttl=(\d+)/.exec(second.headers.get('cache-status') ?? '')?.[1])
    expect(ttl).toBeLessThanOrEqual(50)
    expect(await hits(path)).toHaveLength(1)
  })

  it('keeps serving a fresh response that arrived with a large Age (RFC 9111 §4.2, §4.2.3)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/age-large'
    // 60 - 40: still fresh for about 20 s
    await readStored(expect, path, { headers: { 'cache-control': 'max-age=60', age: '40' } })
    const second = await readHit(expect, path)
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(40)
    expect(await hits(path)).toHaveLength(1)
  })

  it('revalidates with the origin when the request says no-cache (RFC 9111 §5.2.1.4)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/request-no-cache'
    const first = await readStored(expect, path)
    const second = await read(path, { headers: { 'cache-control': 'no-cache' } })
    expect(second.status).toBe(200)
    expect(second.body).toBe(body(path))
    const seen = await hits(path)
    expect(seen).toHaveLength(2)
    expect(seen[1]?.headers['if-none-match']).toBe(first.headers.get('etag'))
    expect(second.headers.get('cache-status')).toMatch(/fwd-status=304/)
    // RFC 9211 §2.2: a fresh response the request's directives did not allow is fwd=request
    expect(second.headers.get('cache-status')).toMatch(
      /^edge-tier; fwd=request; fwd-status=304.*, edge-l1; fwd=request; fwd-status=200/
    )
  })

  it('goes to the origin when the request max-age is below the age (RFC 9111 §5.2.1.1)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/request-max-age'
    // The origin's Age makes the stored response 1 s old at once: max-age=0 cannot accept it.
    const first = await readStored(expect, path, { headers: { age: '1' } })
    const control200 = await read(path)
    expect(control200.headers.get('cache-status')).toMatch(L1_HIT)
    expect(Number(control200.headers.get('age'))).toBeGreaterThanOrEqual(1)
    const second = await read(path, { headers: { 'cache-control': 'max-age=0' } })
    expect(second.status).toBe(200)
    expect(second.body).toBe(body(path))
    const seen = await hits(path)
    expect(seen).toHaveLength(2)
    expect(seen[1]?.headers['if-none-match']).toBe(first.headers.get('etag'))
    expect(second.headers.get('cache-status')).toMatch(
      /^edge-tier; fwd=request; fwd-status=304.*, edge-l1; fwd=request; fwd-status=200/
    )
  }, 10_000)

  it('answers only-if-cached with 504 when nothing is stored (RFC 9111 §5.2.1.7)', async ({
    expect,
  }) => {
    const path = '/hc/fresh/only-if-cached'
    const onlyIfCached = { headers: { 'cache-control': 'only-if-cached' } }
    const miss = await read(path, onlyIfCached)
    expect(miss.status).toBe(504)
    expect((JSON.parse(miss.body) as { error: { code: string } }).error.code).toBe('not_cached')
    expect(await hits(path)).toHaveLength(0)

    await read(path)
    await readHit(expect, path, onlyIfCached)
    expect(await hits(path)).toHaveLength(1)
  })
})

describe('validation (RFC 9111 §4.3)', () => {
  it('revalidates a stale entry with If-None-Match and serves the 304 as a full 200 (RFC 9111 §4.3.1, §4.3.4)', async ({
    expect,
  }) => {
    const path = '/hc/validate/stale-etag'
    await readStoredStale(expect, path, {
      headers: { ...BINARY, 'cache-control': 'max-age=1', age: '1', etag: '"v1"' },
    })
    const second = await read(path)
    expect(second.status).toBe(200)
    expect(second.body).toBe(body(path))
    expect(second.headers.get('etag')).toBe('"v1"')
    expect(second.headers.get('content-length')).toBe(String(body(path).length))
    expect(second.headers.get('cache-status')).toMatch(
      /^edge-tier; fwd=stale; fwd-status=304, edge-l1; fwd=uri-miss; fwd-status=200; stored$/
    )
    const seen = await hits(path)
    expect(seen).toHaveLength(2)
    expect(seen[0]?.headers['if-none-match']).toBeUndefined()
    expect(seen[1]?.headers['if-none-match']).toBe('"v1"')
  }, 10_000)

  // https://github.com/edge-cdn/edge-cdn/issues/17: a mismatched 304 used to reach the client
  it('refetches when a 304 carries another strong ETag, leaving the stored response untouched (RFC 9111 §4.3.4)', async ({
    expect,
  }) => {
    const path = '/hc/validate/304-other-etag'
    const v1 = { ...BINARY, 'cache-control': 'max-age=1', age: '1', etag: '"v1"' }
    await readStoredStale(expect, path, {
      sequence: [
        { headers: v1 },
        { status: 304, headers: { 'cache-control': 'max-age=600', etag: '"v2"' } },
        { headers: { ...BINARY, 'cache-control': 'max-age=600', etag: '"v2"' }, body: 'second' },
      ],
    })
    const second = await read(path)
    expect(second.status).toBe(200)
    expect(second.body).toBe('second')
    expect(second.headers.get('etag')).toBe('"v2"')
    const seen = await hits(path)
    expect(seen).toHaveLength(3)
    expect(seen[1]?.headers['if-none-match']).toBe('"v1"')
    expect(seen[2]?.headers['if-none-match']).toBeUndefined()
  }, 10_000)

  it("answers a client's matching If-None-Match with 304 from a fresh entry (RFC 9111 §4.3.2)", async ({
    expect,
  }) => {
    const path = '/hc/validate/client-inm'
    await control.script(path, { headers: { etag: '"abc"' } })
    await read(path)
    const res = await raw(path, { 'if-none-match': '"abc"' })
    expect(res.status).toBe(304)
    expect(res.data.length).toBe(0)
    expect(res.headers.get('etag')).toBe('"abc"')
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
    expect(res.headers.get('cache-status')).toMatch(L1_HIT)
    const other = await raw(path, { 'if-none-match': '"zzz"' })
    expect(other.status).toBe(200)
    expect(other.data.toString()).toBe(body(path))
    expect(other.headers.get('cache-status')).toMatch(L1_HIT)
    expect(await hits(path)).toHaveLength(1)
  })

  it('uses the weak comparison for If-None-Match (RFC 9110 §13.1.2, §8.8.3.2)', async ({
    expect,
  }) => {
    const path = '/hc/validate/weak'
    await control.script(path, { headers: { etag: 'W/"x"' } })
    await read(path)
    for (const tag of ['W/"x"', '"x"', '"y", W/"x"']) {
      const res = await raw(path, { 'if-none-match': tag })
      expect(res.status, tag).toBe(304)
      expect(res.headers.get('etag')).toBe('W/"x"')
      expect(res.headers.get('cache-status')).toMatch(L1_HIT)
    }
    const miss = await raw(path, { 'if-none-match': 'W/"y"' })
    expect(miss.status).toBe(200)
    expect(miss.data.toString()).toBe(body(path))
    expect(await hits(path)).toHaveLength(1)
  })
})

describe('Vary (RFC 9111 §4.1)', () => {
  it('keeps one variant per Accept-Language value side by side (RFC 9111 §4.1)', async ({
    expect,
  }) => {
    const path = '/hc/vary/language'
    await control.script(path, {
      headers: { vary: 'Accept-Language' },
      echoHeaders: ['accept-language'],
    })
    const en = { headers: { 'accept-language': 'en' } }
    const de = { headers: { 'accept-language': 'de' } }
    const en1 = await read(path, en)
    const de1 = await read(path, de)
    expect(en1.body).toBe(`${body(path)}\naccept-language: en`)
    expect(de1.body).toBe(`${body(path)}\naccept-language: de`)
    expect(de1.headers.get('cache-status')).toBe(
      'edge-tier; fwd=vary-miss; fwd-status=200; stored, edge-l1; fwd=vary-miss; fwd-status=200; stored'
    )
    const en2 = await read(path, en)
    const de2 = await read(path, de)
    expect(en2.status).toBe(200)
    expect(en2.body).toBe(`${body(path)}\naccept-language: en`)
    expect(en2.headers.get('vary')).toBe('Accept-Language')
    expect(en2.headers.get('cache-status')).toMatch(L1_HIT)
    expect(de2.status).toBe(200)
    expect(de2.body).toBe(`${body(path)}\naccept-language: de`)
    expect(de2.headers.get('cache-status')).toMatch(L1_HIT)
    const seen = await hits(path)
    expect(seen.map((h) => h.headers['accept-language'])).toEqual(['en', 'de'])
  })

  it('never serves a response with Vary: * from cache (RFC 9111 §4.1)', async ({ expect }) => {
    await expectNotStored(expect, '/hc/vary/star', { headers: { vary: '*' } }, { vary: '*' })
  })
})

describe('range requests from the cache (RFC 9110 §14)', () => {
  const size = 100
  const bytes = generated(size)
  const path = '/hc/range/object.bin'
  const ranged = async (headers: Record<string, string>) => {
    const { data, ...res } = await raw(path, headers)
    return { res, data }
  }

  beforeAll(async () => {
    await control.script(path, { bytes: size, headers: { ...BINARY, etag: '"r1"' } })
    const res = await get(path)
    await res.arrayBuffer()
  })

  it('answers bytes=0-9 with 206 and Content-Range (RFC 9110 §14.2, §15.3.7)', async ({
    expect,
  }) => {
    const { res, data } = await ranged({ range: 'bytes=0-9' })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes 0-9/${size}`)
    expect(res.headers.get('content-length')).toBe('10')
    expect(res.headers.get('cache-status')).toMatch(L1_HIT)
    expect(data.equals(bytes.subarray(0, 10))).toBe(true)
    expect(await hits(path)).toHaveLength(1)
  })

  it('answers a suffix range bytes=-5 with the last five bytes (RFC 9110 §14.1.1)', async ({
    expect,
  }) => {
    const { res, data } = await ranged({ range: 'bytes=-5' })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes 95-99/${size}`)
    expect(data.equals(bytes.subarray(95))).toBe(true)
    expect(await hits(path)).toHaveLength(1)
  })

  it('answers an unsatisfiable range with 416 and bytes */size (RFC 9110 §14.4, §15.5.17)', async ({
    expect,
  }) => {
    const { res, data } = await ranged({ range: 'bytes=999999-' })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe(`bytes */${size}`)
    expect(data.length).toBe(0)
    expect(await hits(path)).toHaveLength(1)
  })

  it('ignores Range when If-Range does not match the ETag (RFC 9110 §13.1.5)', async ({
    expect,
  }) => {
    const stale = await ranged({ range: 'bytes=0-9', 'if-range': '"other"' })
    expect(stale.res.status).toBe(200)
    expect(stale.res.headers.get('content-range')).toBeNull()
    expect(stale.data.equals(bytes)).toBe(true)
    const current = await ranged({ range: 'bytes=0-9', 'if-range': '"r1"' })
    expect(current.res.status).toBe(206)
    expect(current.data.equals(bytes.subarray(0, 10))).toBe(true)
    expect(await hits(path)).toHaveLength(1)
  })

  it('answers several ranges with the full 200 (RFC 9110 §14.2, a permitted choice)', async ({
    expect,
  }) => {
    const { res, data } = await ranged({ range: 'bytes=0-1,50-51' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-range')).toBeNull()
    expect(res.headers.get('cache-status')).toMatch(L1_HIT)
    expect(data.equals(bytes)).toBe(true)
    expect(await hits(path)).toHaveLength(1)
  })
})

describe('methods', () => {
  it('answers HEAD from a cached GET with the same header fields and no body (RFC 9110 §9.3.2)', async ({
    expect,
  }) => {
    const path = '/hc/method/head'
    await control.script(path, { headers: BINARY })
    const full = await read(path)
    const head = await get(path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    // Content-Length is left out: RFC 9110 §8.6 lets a HEAD response omit it
    for (const name of ['etag', 'cache-control', 'content-type', 'date']) {
      expect(head.headers.get(name), name).toBe(full.headers.get(name))
    }
    expect(head.headers.get('cache-status')).toMatch(L1_HIT)
    expect((await hits(path)).map((h) => h.method)).toEqual(['GET'])
  })

  it('passes POST and its body through to the origin (RFC 9110 §9.3.3)', async ({ expect }) => {
    const path = '/hc/method/post'
    const res = await get(path, { method: 'POST', body: 'x=1&y=2' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(body(path))
    expect(res.headers.get('cache-status')).toBe('edge-l1; fwd=method; fwd-status=200')
    const seen = await hits(path)
    expect(seen.map((h) => [h.method, h.body])).toEqual([['POST', 'x=1&y=2']])
  })

  it('invalidates the stored response after a successful POST to the URL (RFC 9111 §4.4)', async ({
    expect,
  }) => {
    const path = '/hc/method/invalidate'
    await read(path)
    const cached = await read(path)
    expect(cached.headers.get('cache-status')).toMatch(L1_HIT)
    const post = await get(path, { method: 'POST', body: 'change' })
    expect(post.status).toBe(200)
    await post.text()
    const after = await read(path)
    expect(after.status).toBe(200)
    expect(after.body).toBe(body(path))
    expect(after.headers.get('cache-status')).not.toMatch(/hit/)
    expect((await hits(path)).map((h) => h.method)).toEqual(['GET', 'POST', 'GET'])
  })
})

describe('stale responses (RFC 5861)', () => {
  /** The origin's answer once the stored entry is stale: a failure that must not be stored. */
  const ORIGIN_ERROR: OriginScript = {
    status: 500,
    body: 'boom',
    headers: { 'cache-control': 'no-store', etag: '"err"' },
  }

  it('serves stale within stale-while-revalidate and revalidates in the background (RFC 5861 §3)', async ({
    expect,
  }) => {
    const path = '/hc/stale/swr'
    const headers = { 'cache-control': 'max-age=1, stale-while-revalidate=30', etag: '"s1"' }
    // Stored already stale (Age = max-age); the revalidation is slow, so a client waiting for
    // it would notice.
    await readStored(expect, path, {
      sequence: [{ headers: { ...headers, age: '1' } }, { headers, delayMs: 1200 }],
    })
    const started = Date.now()
    const stale = await read(path)
    const elapsed = Date.now() - started
    expect(stale.status).toBe(200)
    expect(stale.body).toBe(body(path))
    expect(stale.headers.get('cache-status')).toMatch(
      /^edge-l1; hit; ttl=-?\d+; detail=stale-while-revalidate$/
    )
    expect(Number(stale.headers.get('age'))).toBeGreaterThanOrEqual(1)
    expect(elapsed).toBeLessThan(1000)
    const seen = await waitForHits(path, 2, 4000)
    expect(seen).toHaveLength(2)
    expect(seen[1]?.headers['if-none-match']).toBe('"s1"')
    // real time: nothing marks the absence of a second revalidation; give one time to show
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await hits(path)).toHaveLength(2)
  }, 15_000)

  it('serves stale within stale-if-error when the origin fails (RFC 5861 §4)', async ({
    expect,
  }) => {
    const path = '/hc/stale/sie'
    await readStored(expect, path, {
      sequence: [
        { headers: { 'cache-control': 'max-age=1, stale-if-error=60', age: '1' } },
        ORIGIN_ERROR,
      ],
    })
    const stale = await read(path)
    expect(stale.status).toBe(200)
    expect(stale.body).toBe(body(path))
    expect(stale.headers.get('cache-control')).toBe('max-age=1, stale-if-error=60')
    expect(Number(stale.headers.get('age'))).toBeGreaterThanOrEqual(1)
    expect(stale.headers.get('cache-status')).toMatch(/fwd-status=500; detail=stale-if-error/)
    expect(await hits(path)).toHaveLength(2)
  }, 10_000)

  it('does not serve stale on error under must-revalidate (RFC 9111 §5.2.2.2)', async ({
    expect,
  }) => {
    const path = '/hc/stale/sie-must-revalidate'
    await readStored(expect, path, {
      sequence: [
        {
          headers: { 'cache-control': 'max-age=1, stale-if-error=60, must-revalidate', age: '1' },
        },
        ORIGIN_ERROR,
      ],
    })
    const res = await read(path)
    expect(res.status).toBe(500)
    expect(res.body).toBe('boom')
    expect(res.headers.get('cache-status')).not.toMatch(/stale-if-error/)
    expect(res.headers.get('cache-status')).toMatch(/^edge-tier; fwd=stale; fwd-status=500/)
    expect(await hits(path)).toHaveLength(2)
  }, 10_000)
})

describe('targeted cache control and internal fields (RFC 9213)', () => {
  it('does not store a response with Surrogate-Control: no-store and a fresh Cache-Control', async ({
    expect,
  }) => {
    const path = '/hc/targeted/surrogate-no-store'
    await control.script(path, {
      headers: { 'cache-control': 'max-age=600', 'surrogate-control': 'no-store' },
    })
    for (let i = 0; i < 2; i++) {
      const res = await read(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('surrogate-control')).toBeNull()
    }
    const seen = await hits(path)
    expect(seen).toHaveLength(2)
    expect(seen[0]?.headers['surrogate-capability']).toBe('edge-cdn="Surrogate/1.0"')
  })

  it('obeys CDN-Cache-Control over Cache-Control (RFC 9213 §2.2)', async ({ expect }) => {
    const path = '/hc/targeted/cdn'
    await readStored(expect, path, {
      headers: { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=60' },
    })
    const second = await readHit(expect, path)
    // the client still sees the origin's Cache-Control: no-store
    expect(second.headers.get('cache-control')).toBe('no-store')
    expect(await hits(path)).toHaveLength(1)
  })

  it.for<[string, { path: string; headers: Record<string, string>; stripped: string[] }]>([
    [
      'obeys Edge-Cache-Control and strips it from client responses (RFC 9213 §2)',
      {
        path: '/hc/targeted/edge',
        headers: { 'cache-control': 'no-store', 'edge-cache-control': 'max-age=60' },
        stripped: ['edge-cache-control'],
      },
    ],
    [
      'obeys Surrogate-Control over Cache-Control and strips it (W3C Edge Architecture)',
      {
        path: '/hc/targeted/surrogate',
        headers: { 'cache-control': 'no-store', 'surrogate-control': 'max-age=60' },
        stripped: ['surrogate-control'],
      },
    ],
    [
      'obeys Surrogate-Control targeted at its device token over CDN-Cache-Control',
      {
        path: '/hc/targeted/surrogate-token',
        headers: {
          'cdn-cache-control': 'no-store',
          'surrogate-control': 'no-store, max-age=60;edge-cdn',
        },
        stripped: ['surrogate-control'],
      },
    ],
    [
      'strips Cache-Tag and Surrogate-Key from client responses',
      {
        path: '/hc/targeted/tags',
        headers: { 'cache-tag': 'product,listing', 'surrogate-key': 'p1 p2' },
        stripped: ['cache-tag', 'surrogate-key'],
      },
    ],
  ])('%s', async ([, { path, headers, stripped }], { expect }) => {
    const first = await readStored(expect, path, { headers })
    const second = await readHit(expect, path)
    for (const r of [first, second]) {
      expect(r.status).toBe(200)
      expect(r.body).toBe(body(path))
      for (const name of stripped) expect(r.headers.get(name), name).toBeNull()
    }
    expect(await hits(path)).toHaveLength(1)
  })
})

// Fields named in a client's `Connection` cannot be dropped here: workerd removes the
// `Connection` field itself before the Worker runs, so the list is never visible (README,
// deviations). The standard hop-by-hop fields are dropped by `stripHopByHop`.
describe('forwarding request fields (RFC 9110 §7.6.1)', () => {
  it('forwards end-to-end request fields to the origin unchanged (RFC 9110 §7.6)', async ({
    expect,
  }) => {
    const path = '/hc/forward/custom'
    const res = await raw(path, { 'x-custom': '1', 'x-trace': 'a, b' })
    expect(res.status).toBe(200)
    expect(res.data.toString()).toBe(body(path))
    const seen = await hits(path)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.headers['x-custom']).toBe('1')
    expect(seen[0]?.headers['x-trace']).toBe('a, b')
  })
})
