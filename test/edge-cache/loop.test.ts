/**
 * CDN-Loop (RFC 8586): this CDN's own token, found in any cdn-info, means a loop.
 * @see edge-cache/loop.ts
 */
import { describe, it } from 'vitest'
import { appendCdnLoop, cdnLoopToken, hasLooped, loopDetectedResponse } from '../../edge-cache/loop'

const token = cdnLoopToken('0123abcd')

describe('CDN-Loop', () => {
  it.for([
    [null, false],
    ['cloudflare', false],
    ['edge-cdn-ffff0000', false],
    ['edge-cdn-0123abcd-x', false],
    ['edge-cdn-0123abcd', true],
    ['cloudflare, EDGE-CDN-0123ABCD', true],
    ['foo; bar=1, edge-cdn-0123abcd ; hops=2', true],
  ] as const)('CDN-Loop %j has looped: %j', ([value, expected], { expect }) => {
    const headers = new Headers(value === null ? {} : { 'cdn-loop': value })
    expect(hasLooped(headers, token)).toBe(expected)
  })

  it('appends its token after what earlier CDNs wrote', ({ expect }) => {
    const headers = new Headers({ 'cdn-loop': 'cloudflare' })
    appendCdnLoop(headers, token)
    expect(headers.get('cdn-loop')).toBe('cloudflare, edge-cdn-0123abcd')
    expect(hasLooped(headers, token)).toBe(true)
  })

  it('refuses a deployment id a token cannot carry', ({ expect }) => {
    expect(() => cdnLoopToken('a,b')).toThrow(TypeError)
  })

  it('answers a loop with 508 and a JSON body naming it, never cached', async ({ expect }) => {
    const res = loopDetectedResponse(token)
    expect(res.status).toBe(508)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = (await res.json()) as { error: { code: string } }
    expect(body.error.code).toBe('loop_detected')
  })
})
