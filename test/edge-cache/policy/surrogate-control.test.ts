import { describe, it } from 'vitest'
import { selectCacheControl } from '../../../edge-cache/policy/cache-control'
import {
  SURROGATE_CAPABILITY,
  surrogateDirectives,
} from '../../../edge-cache/policy/surrogate-control'

describe('surrogateDirectives (W3C Edge Architecture §2.2, §2.3)', () => {
  it.for<[string, string | undefined, boolean?]>([
    ['max-age=3600', 'max-age=3600', false],
    ['MaX-aGe=3600', 'MaX-aGe=3600', false],
    ['foobar, max-age=3600', 'foobar, max-age=3600', false],
    ['no-store', 'no-store', false],
    // "no-store-remote": a CDN is a remote surrogate
    ['no-store-remote', 'no-store', false],
    // max-age = delta-seconds [ "+" delta-seconds ]: the extension serves stale on error
    ['max-age=60+30', 'max-age=60, stale-if-error=30', false],
    // targeted at this platform's device token: only those directives apply
    ['max-age=3600;edge-cdn', 'max-age=3600', true],
    ['max-age=5, max-age=3600;EDGE-CDN', 'max-age=3600', true],
    ['no-store, max-age=60;edge-cdn', 'max-age=60', true],
    // targeted at another device: not ours
    ['max-age=3600;not-for-you', undefined],
    ['max-age=3600;not-for-you, no-store;edge-cdn', 'no-store', true],
    // malformed members are ignored (no whitespace around "=")
    ['max-age =100', undefined],
    ['max-age= 100', undefined],
    // only caching directives make the field govern: content="ESI/1.0" alone does not
    ['content="ESI/1.0"', undefined],
    ['content="ESI/1.0;x", max-age=10', 'content="ESI/1.0;x", max-age=10', false],
    ['', undefined],
  ])('reads %j as %j', ([value, cacheControl, targeted], { expect }) => {
    const result = surrogateDirectives(value)
    if (cacheControl === undefined) expect(result).toBeUndefined()
    else expect(result).toEqual({ cacheControl, targeted })
  })

  it('reads directives targeted at the device token it announces as its own', ({ expect }) => {
    const [device] = SURROGATE_CAPABILITY.split('=')
    expect(surrogateDirectives(`max-age=5;${device}, max-age=60`)).toEqual({
      cacheControl: 'max-age=5',
      targeted: true,
    })
  })
})

describe('selectCacheControl with Surrogate-Control', () => {
  // Precedence, most specific first: Edge-Cache-Control, Surrogate-Control targeted at
  // ;edge-cdn, CDN-Cache-Control, untargeted Surrogate-Control, Cache-Control.
  it.for<[string, Record<string, string>, string, number | 'no-store']>([
    [
      'over Cache-Control',
      { 'cache-control': 'no-store', 'surrogate-control': 'max-age=60' },
      'surrogate-control',
      60,
    ],
    [
      'a short one over a long Cache-Control',
      { 'cache-control': 'max-age=3600', 'surrogate-control': 'max-age=1' },
      'surrogate-control',
      1,
    ],
    [
      'no-store over a fresh Cache-Control',
      { 'cache-control': 'max-age=10000', 'surrogate-control': 'no-store' },
      'surrogate-control',
      'no-store',
    ],
    [
      'CDN-Cache-Control over an untargeted one',
      { 'cdn-cache-control': 'max-age=5', 'surrogate-control': 'max-age=60' },
      'cdn-cache-control',
      5,
    ],
    [
      'a targeted one over CDN-Cache-Control',
      { 'cdn-cache-control': 'max-age=5', 'surrogate-control': 'max-age=60;edge-cdn' },
      'surrogate-control',
      60,
    ],
    [
      'Edge-Cache-Control over a targeted one',
      { 'edge-cache-control': 'max-age=7', 'surrogate-control': 'max-age=60;edge-cdn' },
      'edge-cache-control',
      7,
    ],
    [
      'Cache-Control when it targets another device',
      { 'cache-control': 'max-age=9', 'surrogate-control': 'max-age=60;other' },
      'cache-control',
      9,
    ],
  ])('selects %s', ([, headers, source, expected], { expect }) => {
    const selected = selectCacheControl(new Headers(headers))
    expect(selected.source).toBe(source)
    if (expected === 'no-store') expect(selected.directives.noStore).toBe(true)
    else expect(selected.directives.maxAge).toBe(expected)
  })

  it('ignores Surrogate-Control when it is not on the target list', ({ expect }) => {
    const headers = new Headers({ 'cache-control': 'max-age=9', 'surrogate-control': 'max-age=60' })
    expect(selectCacheControl(headers, ['cdn-cache-control']).source).toBe('cache-control')
  })
})
