/**
 * A route's custom cache key fields join the response's Vary.
 * @see origin/key-headers.ts
 */
import { describe, it } from 'vitest'
import { varyingOn, withFields } from '../../origin/key-headers'
import type { Origin } from '../../origin/types'

describe('withFields', () => {
  it.for([
    [null, ['x-forwarded-prefix'], 'x-forwarded-prefix'],
    ['Accept-Encoding', ['x-forwarded-prefix'], 'accept-encoding, x-forwarded-prefix'],
    ['x-forwarded-prefix', ['x-forwarded-prefix'], 'x-forwarded-prefix'],
    ['*', ['x-a'], '*'],
  ] as const)('Vary %j plus %j is %j', ([vary, fields, expected], { expect }) => {
    expect(withFields(vary, fields)).toBe(expected)
  })
})

describe('varyingOn', () => {
  const origin: Origin = {
    fetch: async () => new Response('x', { headers: { vary: 'accept' } }),
  }
  const request = { method: 'GET', path: '/', search: '', headers: new Headers() }

  it('adds the fields to each response', async ({ expect }) => {
    const res = await varyingOn(origin, ['x-forwarded-prefix']).fetch(request)
    expect(res.headers.get('vary')).toBe('accept, x-forwarded-prefix')
    expect(await res.text()).toBe('x')
  })

  it('returns the origin itself when the route keys on nothing', ({ expect }) => {
    expect(varyingOn(origin, [])).toBe(origin)
    expect(varyingOn(origin, undefined)).toBe(origin)
  })
})
