/**
 * Authenticated origin pulls against a real loopback origin that checks signatures the way
 * README tells origin owners to.
 * @see origin/signing.ts
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { httpOrigin } from '../../origin/http'
import { canonicalString, partsFor, signer } from '../../origin/signing'
import { verifyEdgeSignature } from '../support/verify-signature'

let originKeys = new Map([['k1', 'secret-one']])
let url = ''
const server = createServer((req, res) => {
  res.statusCode = verifyEdgeSignature(req, originKeys) ? 200 : 401
  res.end()
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function request(headers: Record<string, string> = {}) {
  return { method: 'GET', path: '/a b/c.css', search: '?v=1&x=%20', headers: new Headers(headers) }
}

async function status(origin: ReturnType<typeof httpOrigin>, headers = {}) {
  const res = await origin.fetch(request(headers))
  await res.arrayBuffer()
  return res.status
}

describe('authenticated origin pulls', () => {
  it('is refused by a checking origin when unsigned, accepted when signed', async ({ expect }) => {
    originKeys = new Map([['k1', 'secret-one']])
    expect(await status(httpOrigin({ url, timeoutMs: 2000 }))).toBe(401)
    const signed = httpOrigin({
      url,
      timeoutMs: 2000,
      signing: { key: { id: 'k1', secret: 'secret-one' }, header: 'edge-signature' },
    })
    expect(await status(signed)).toBe(200)
  })

  it('replaces a signature field the client sent', async ({ expect }) => {
    originKeys = new Map([['k1', 'secret-one']])
    const signed = httpOrigin({
      url,
      timeoutMs: 2000,
      signing: { key: { id: 'k1', secret: 'secret-one' }, header: 'edge-signature' },
    })
    expect(await status(signed, { 'edge-signature': 'keyid=k1, t=1, sig=00' })).toBe(200)
  })

  it.for([
    ['a wrong key', { id: 'k1', secret: 'guess' }, 0],
    ['an unknown key id', { id: 'k9', secret: 'secret-one' }, 0],
    ['a timestamp ten minutes old', { id: 'k1', secret: 'secret-one' }, -600_000],
  ] as const)('is refused with %s', async ([, key, skewMs], { expect }) => {
    originKeys = new Map([['k1', 'secret-one']])
    const origin = httpOrigin({
      url,
      timeoutMs: 2000,
      signing: { key, header: 'edge-signature' },
      now: () => Date.now() + skewMs,
    })
    expect(await status(origin)).toBe(401)
  })
})

describe('signature format', () => {
  it('covers method, host, path and query, and time', async ({ expect }) => {
    const parts = partsFor(new URL('https://o.example:8443/p/a.css?v=1'), 'get', 1_700_000_000_999)
    expect(canonicalString(parts)).toBe('GET\no.example:8443\n/p/a.css?v=1\n1700000000')
    const value = await signer({ id: 'k1', secret: 's' })(parts)
    expect(value).toMatch(/^keyid=k1, t=1700000000, sig=[0-9a-f]{64}$/)
  })
})
