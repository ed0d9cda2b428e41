import { describe, it } from 'vitest'
import { clientLocation } from '../../edge-cache/redirects'

const client = new URL('https://www.shop.test/app/docs')

describe('clientLocation', () => {
  it.for([
    // nginx's directory redirect, in proxy mode (route `/`)
    ['http://127.0.0.1:9000/docs/', ['http://127.0.0.1:9000'], '/', 'https://www.shop.test/docs/'],
    // under a route prefix, which the origin never saw
    [
      'http://10.0.0.5/docs/?a=1#top',
      ['http://10.0.0.5'],
      '/app/',
      'https://www.shop.test/app/docs/?a=1#top',
    ],
    // an origin URL with a base path: only what is under it maps back
    ['https://o.test/base/x', ['https://o.test/base/'], '/app', 'https://www.shop.test/app/x'],
    ['https://o.test/base', ['https://o.test/base'], '/', 'https://www.shop.test/'],
    // a pool: any member
    ['http://b.test/x', ['http://a.test', 'http://b.test'], '/', 'https://www.shop.test/x'],
  ] as const)('maps %s back to the client', ([location, origins, prefix, want], { expect }) => {
    expect(clientLocation(location, origins, client, prefix)).toBe(want)
  })

  it.for([
    ['/docs/', ['http://127.0.0.1:9000']],
    ['https://elsewhere.test/docs/', ['http://127.0.0.1:9000']],
    // same host, another port or scheme: another origin
    ['http://127.0.0.1:9001/docs/', ['http://127.0.0.1:9000']],
    ['https://127.0.0.1:9000/docs/', ['http://127.0.0.1:9000']],
    // outside the origin's base path
    ['https://o.test/other', ['https://o.test/base']],
    ['https://o.test/basement', ['https://o.test/base']],
    ['not a url', ['http://127.0.0.1:9000']],
  ] as const)('leaves %s alone', ([location, origins], { expect }) => {
    expect(clientLocation(location, origins, client, '/')).toBeUndefined()
  })
})
