/**
 * The answer a client gets from a full response (edge-cache/answer.ts), for the fields that
 * depend on its Accept-Encoding: whichever coding it gets, `Vary: Accept-Encoding` says the
 * edge chose it (RFC 9110 §12.5.5), listed once; and a 304 repeats the ETag and Vary the 200
 * would carry (§15.4.5), weak when the edge compresses (§8.8.1). Runs in workerd for its
 * streams (CompressionStream, DecompressionStream, FixedLengthStream).
 */
import { gzipSync } from 'node:zlib'
import { describe, it } from 'vitest'
import { answerClient, type FullResponse } from '../../edge-cache/answer'
import { discard } from '../../edge-cache/discard'

const TEXT = 'const x = 1;\n'.repeat(100)

function full(headers: Record<string, string>, body: Uint8Array = new TextEncoder().encode(TEXT)) {
  return (): FullResponse => ({
    status: 200,
    headers: new Headers({ 'content-length': String(body.length), ...headers }),
    body: new Response(body).body,
    size: body.length,
  })
}

const identityScript = full({ 'content-type': 'application/javascript', etag: '"v1"' })
const gzipScript = full(
  { 'content-type': 'application/javascript', 'content-encoding': 'gzip', etag: '"v1"' },
  gzipSync(TEXT)
)
const image = full({ 'content-type': 'image/png', etag: '"v1"' })

function ask(stored: FullResponse, headers: Record<string, string>, compress = true) {
  return answerClient(stored, 'GET', new Headers(headers), compress)
}

describe('answerClient: Vary and validators by coding', () => {
  it.for([
    ['identity text, gzip client (compressed)', identityScript, 'gzip', 'W/"v1"'],
    ['identity text, identity client', identityScript, 'identity', '"v1"'],
    ['stored gzip, gzip client', gzipScript, 'gzip', '"v1"'],
    ['stored gzip, identity client (decoded)', gzipScript, 'identity', 'W/"v1"'],
  ] as const)(
    '%s: Vary: Accept-Encoding, and a 304 with the 200’s ETag',
    async ([, stored, accept, etag], { expect }) => {
      const ok = ask(stored(), { 'accept-encoding': accept })
      expect(ok.status).toBe(200)
      expect(ok.headers.get('etag')).toBe(etag)
      expect(ok.headers.get('vary')).toBe('Accept-Encoding')
      await ok.arrayBuffer()

      const notModified = ask(stored(), { 'accept-encoding': accept, 'if-none-match': etag })
      expect(notModified.status).toBe(304)
      expect(notModified.headers.get('etag')).toBe(etag)
      expect(notModified.headers.get('vary')).toBe('Accept-Encoding')
    }
  )

  it('names Accept-Encoding once when the origin already varies on it', ({ expect }) => {
    const stored = full({
      'content-type': 'application/javascript',
      'content-encoding': 'gzip',
      vary: 'accept-encoding, Origin',
    })()
    const res = ask(stored, { 'accept-encoding': 'gzip' })
    expect(res.headers.get('vary')).toBe('accept-encoding, Origin')
  })

  it('adds no Vary where no coding is chosen: a PNG, or compression off', ({ expect }) => {
    expect(ask(image(), { 'accept-encoding': 'gzip' }).headers.get('vary')).toBeNull()
    expect(
      ask(identityScript(), { 'accept-encoding': 'gzip' }, false).headers.get('vary')
    ).toBeNull()
  })
})

describe('a body nobody reads', () => {
  // An upstream that died mid-body leaves an errored stream, whose cancel() rejects: dropped
  // unobserved, workerd logs each as an uncaught error (and vitest fails the run on it).
  const errored = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new Error('origin went away'))
      },
    })

  it('is discarded without rejecting, where cancel() rejects', async ({ expect }) => {
    await expect(errored().cancel()).rejects.toThrow('origin went away')
    await expect(discard(errored())).resolves.toBeUndefined()
  })

  it('is dropped by a 304 without an unhandled rejection', ({ expect }) => {
    const stored: FullResponse = {
      status: 200,
      headers: new Headers({ etag: '"v1"', 'content-type': 'image/png' }),
      body: errored(),
    }
    const res = answerClient(stored, 'GET', new Headers({ 'if-none-match': '"v1"' }))
    expect(res.status).toBe(304)
  })
})
