import { afterAll, beforeAll, describe, it } from 'vitest'
import { forwardPurges } from '../../../edge-cache/purge/cloudflare-forward'
import { forwardBodies } from '../../../edge-cache/purge/synthetic-tags'
import { type CloudflareApi, startCloudflareApi } from '../../support/cloudflare-api'

const TOKEN = 'cf-test-token'
let api: CloudflareApi
const noSleep = async () => {}

beforeAll(async () => {
  api = await startCloudflareApi(TOKEN)
})
afterAll(() => api.close())

const target = () => ({ baseUrl: api.baseUrl, zoneId: 'zone-123', token: TOKEN })
const tagRecords = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    kind: 'tag' as const,
    value: `t${i}`,
    soft: false,
  }))

describe('forwardPurges against a loopback Cloudflare purge endpoint', () => {
  it('sends tag purges in calls of at most 100 tags to the zone with the token', async ({
    expect,
  }) => {
    api.received.length = 0
    const bodies = forwardBodies('shop', tagRecords(250))
    const result = await forwardPurges(target(), bodies, { sleep: noSleep })
    expect(result).toEqual({ ok: true, calls: 3 })
    expect(api.received.map((r) => r.body.tags?.length)).toEqual([100, 100, 50])
    expect(new Set(api.received.flatMap((r) => r.body.tags)).size).toBe(250)
    expect(api.received.every((r) => r.zoneId === 'zone-123')).toBe(true)
    expect(api.received[0]?.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('retries a 429 and a 503 with backoff, then succeeds', async ({ expect }) => {
    api.received.length = 0
    api.answerNext(429, 503)
    const waits: number[] = []
    const result = await forwardPurges(target(), [{ tags: ['a'] }], {
      sleep: async (ms) => {
        waits.push(ms)
      },
      backoffMs: 50,
    })
    expect(result).toEqual({ ok: true, calls: 3 })
    expect(api.received.map((r) => r.status)).toEqual([429, 503, 200])
    expect(waits).toEqual([50, 100])
  })

  it('gives up after its attempts on 5xx, saying the bodies may be retried later', async ({
    expect,
  }) => {
    api.received.length = 0
    api.answerAlways(500)
    const result = await forwardPurges(target(), [{ tags: ['a'] }, { tags: ['b'] }], {
      sleep: noSleep,
      attempts: 3,
    })
    api.answerAlways(200)
    expect(result).toMatchObject({ ok: false, retryable: true, delivered: 0, calls: 3 })
  })

  it('does not retry what Cloudflare refuses for good (403)', async ({ expect }) => {
    api.received.length = 0
    const result = await forwardPurges({ ...target(), token: 'wrong' }, [{ tags: ['a'] }], {
      sleep: noSleep,
    })
    expect(result).toMatchObject({ ok: false, retryable: false, calls: 1 })
  })

  it('treats an unreachable API as retryable', async ({ expect }) => {
    const result = await forwardPurges(
      { ...target(), baseUrl: 'http://127.0.0.1:9/client/v4' },
      [{ tags: ['a'] }],
      { sleep: noSleep, attempts: 2 }
    )
    expect(result).toMatchObject({ ok: false, retryable: true, calls: 2 })
  })
})
