/**
 * The origin-trust fields of the config schemas: signing keys by secret name, the mTLS binding
 * name, a route's cache-key fields.
 * @see schemas/api/config.ts
 */
import { describe, it } from 'vitest'
import { originSpecSchema, routeSpecSchema } from '../../../schemas/api/config'

const http = { kind: 'http', url: 'https://origin.example' }
const key = (id: string, secret: string) => ({ id, secret })

describe('http origin signing', () => {
  it('defaults the signature field and keeps the keys in order', ({ expect }) => {
    const spec = originSpecSchema.parse({
      ...http,
      signing: { keys: [key('new', 'KEY_B'), key('old', 'KEY_A')] },
    })
    expect(spec.kind === 'http' && spec.signing).toEqual({
      keys: [key('new', 'KEY_B'), key('old', 'KEY_A')],
      header: 'edge-signature',
    })
  })

  it.for([
    ['no key', { keys: [] }],
    ['three keys', { keys: [key('a', 'A'), key('b', 'B'), key('c', 'C')] }],
    ['a key given by value', { keys: [key('a', 'sk_live_123')] }],
    ['two keys with one id', { keys: [key('a', 'A'), key('a', 'B')] }],
    ['a key id with a comma', { keys: [key('a,b', 'A')] }],
    ['a header that is no field name', { keys: [key('a', 'A')], header: 'bad header' }],
    ['the CDN-Loop field as the header', { keys: [key('a', 'A')], header: 'CDN-Loop' }],
  ] as const)('refuses %s', ([, signing], { expect }) => {
    expect(originSpecSchema.safeParse({ ...http, signing }).success).toBe(false)
  })

  it('takes an mTLS binding by name only', ({ expect }) => {
    expect(originSpecSchema.safeParse({ ...http, mtlsCertificate: 'ORIGIN_CERT' }).success).toBe(
      true
    )
    expect(originSpecSchema.safeParse({ ...http, mtlsCertificate: '-----BEGIN' }).success).toBe(
      false
    )
  })
})

describe('route cacheKeyHeaders', () => {
  it('lower-cases field names', ({ expect }) => {
    const route = routeSpecSchema.parse({ origin: 'main', cacheKeyHeaders: ['X-Forwarded-Prefix'] })
    expect(route.cacheKeyHeaders).toEqual(['x-forwarded-prefix'])
  })

  it.for([
    ['a name with a space', ['x a']],
    ['nine fields', Array.from({ length: 9 }, (_, i) => `x-${i}`)],
  ] as const)('refuses %s', ([, cacheKeyHeaders], { expect }) => {
    expect(routeSpecSchema.safeParse({ origin: 'main', cacheKeyHeaders }).success).toBe(false)
  })
})
