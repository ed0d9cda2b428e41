/**
 * A tier shard's bodies under concurrent changes: an entry invalidated (or purged, evicted)
 * while a request is revalidating it must still be readable by that request.
 */
import { env } from 'cloudflare:workers'
import { describe, inject, it } from 'vitest'
import { originControl } from '../support/origin-control'
import { tierRequest } from '../support/tier-request'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function request(path: string) {
  return tierRequest(originUrl, 'races.test', path)
}

describe('tier bodies under concurrent changes', () => {
  it('answers a revalidation whose entry was invalidated while the origin was deciding (304)', async ({
    expect,
  }) => {
    const headers = { 'cache-control': 'max-age=0', etag: '"v1"' }
    await origin.script('/revalidated.txt', {
      sequence: [
        { body: 'the stored body', headers },
        { status: 304, headers, delayMs: 300 },
      ],
    })
    const tier = env.CACHE_TIER.get(env.CACHE_TIER.idFromName('tier:eu:300'))
    expect(await (await tier.serve(request('/revalidated.txt'))).text()).toBe('the stored body')

    const revalidating = tier.serve(request('/revalidated.txt'))
    // The revalidation has reached the origin, which takes 300 ms to answer.
    await expect.poll(async () => (await origin.hits('/revalidated.txt')).length).toBe(2)
    expect(await tier.invalidate(['https://races.test/revalidated.txt'])).toBe(1)
    const answer = await revalidating
    expect(answer.headers.get('cache-status')).toMatch(/fwd=stale; fwd-status=304/)
    expect(await answer.text()).toBe('the stored body')
  })
})
