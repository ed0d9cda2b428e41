/**
 * Content codings inside workerd, without wrangler dev's front line (which hands the Worker
 * `Accept-Encoding: br, gzip` whatever the client sent, and re-encodes answers): what the edge
 * itself does for each client (issue 19). The e2e matrix (test/e2e/compression.test.ts) checks
 * the bytes on the wire.
 */

import { env, exports } from 'cloudflare:workers'
import { gunzipSync, gzipSync } from 'node:zlib'
import { beforeAll, describe, inject, it } from 'vitest'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const TEXT = 'body { color: #123456 }\n'.repeat(200)
const GZIP = gzipSync(TEXT)

function get(host: string, path: string, acceptEncoding?: string, cf: object = FRA) {
  const headers = new Headers()
  if (acceptEncoding !== undefined) headers.set('accept-encoding', acceptEncoding)
  return exports.default.fetch(
    new Request(`https://${host}${path}`, { headers, cf } as RequestInit)
  )
}

async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer())
}

/**
 * The content of a response read in process. `exports.default.fetch` hands back a gzip answer
 * decoded by the transport (as fetch() does), so the bytes are decoded here only when they still
 * are gzip; the e2e matrix checks the bytes on the wire.
 */
async function content(res: Response): Promise<string> {
  const body = await bytes(res)
  return (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString()
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'coding',
    hosts: ['coding.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await putZone(env.CONFIG_DB, {
    name: 'plain',
    hosts: ['plain.test'],
    origin: { kind: 'http', url: originUrl },
    route: { compression: false },
  })
})

describe('content codings at the edge', () => {
  it('serves a gzip body sent with Content-Length whole, and hits L1 with it', async ({
    expect,
  }) => {
    const path = '/coding/gz-cl.css'
    await origin.script(path, {
      bodyBase64: GZIP.toString('base64'),
      headers: { 'content-type': 'text/css', 'content-encoding': 'gzip' },
    })
    for (const step of ['miss', 'tier hit', 'L1 hit']) {
      const res = await get('coding.test', path, 'gzip')
      expect(res.headers.get('content-encoding'), step).toBe('gzip')
      expect(await content(res), step).toBe(TEXT)
      if (step === 'L1 hit') expect(res.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
    }
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('decodes a gzip entry for a client that does not take gzip', async ({ expect }) => {
    const path = '/coding/gz-identity.css'
    await origin.script(path, {
      bodyBase64: GZIP.toString('base64'),
      headers: { 'content-type': 'text/css', 'content-encoding': 'gzip' },
    })
    for (const accept of ['identity', undefined, 'br;q=0, zstd']) {
      const res = await get('coding.test', path, accept)
      expect(res.headers.get('content-encoding'), String(accept)).toBeNull()
      expect(res.headers.get('content-length'), String(accept)).toBeNull()
      expect((await bytes(res)).toString(), String(accept)).toBe(TEXT)
    }
  })

  it('compresses an identity text answer for a client that takes it, br first', async ({
    expect,
  }) => {
    const path = '/coding/plain.css'
    await origin.script(path, { body: TEXT, headers: { 'content-type': 'text/css' } })
    const br = await get('coding.test', path, 'gzip, deflate, br')
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('content-length')).toBeNull()
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i)
    // workerd encodes on the wire; in process the body is still the identity text.
    expect((await bytes(br)).toString()).toBe(TEXT)
    const gzip = await get('coding.test', path, 'gzip')
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    await gzip.arrayBuffer()
    const identity = await get('coding.test', path, 'identity')
    expect(identity.headers.get('content-encoding')).toBeNull()
    expect((await bytes(identity)).toString()).toBe(TEXT)
    // The range is of the identity representation L1 holds, never compressed.
    const range = await exports.default.fetch(
      new Request(`https://coding.test${path}`, {
        headers: { 'accept-encoding': 'gzip', range: 'bytes=0-3' },
        cf: FRA,
      } as RequestInit)
    )
    expect(range.status).toBe(206)
    expect(range.headers.get('content-encoding')).toBeNull()
    expect((await bytes(range)).toString()).toBe(TEXT.slice(0, 4))
  })

  it('never compresses images, nor for a route that turned it off', async ({ expect }) => {
    await origin.script('/coding/logo.png', {
      bytes: 4096,
      headers: { 'content-type': 'image/png' },
    })
    const image = await get('coding.test', '/coding/logo.png', 'gzip, br')
    expect(image.headers.get('content-encoding')).toBeNull()
    await image.arrayBuffer()
    await origin.script('/coding/off.css', { body: TEXT, headers: { 'content-type': 'text/css' } })
    const off = await get('plain.test', '/coding/off.css', 'gzip, br')
    expect(off.headers.get('content-encoding')).toBeNull()
    expect((await bytes(off)).toString()).toBe(TEXT)
  })

  it('stores a Vary: Accept-Encoding response once per normalised value', async ({ expect }) => {
    const path = '/coding/vary.js'
    await origin.script(path, {
      bodyBase64: GZIP.toString('base64'),
      headers: {
        'content-type': 'application/javascript',
        'content-encoding': 'gzip',
        vary: 'Accept-Encoding',
      },
    })
    // Three browsers' spellings of "br and gzip": one variant, one origin fetch.
    for (const accept of ['gzip, deflate, br, zstd', 'br, gzip', 'gzip;q=1.0, br;q=0.9, *;q=0.1']) {
      const res = await get('coding.test', path, accept)
      expect(await content(res), accept).toBe(TEXT)
    }
    const hits = await origin.hits(path)
    expect(hits).toHaveLength(1)
    // The origin was asked with the normalised value.
    expect(hits[0]?.headers['accept-encoding']).toBe('br, gzip')
  })
})
