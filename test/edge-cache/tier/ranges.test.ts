/**
 * Ranges a shard answers itself: the plan is pure; ranges from the origin go to the test origin
 * server on loopback through the real HTTP adapter.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { planRange, RANGE_WAIT_BYTES, rangeFromOrigin } from '../../../edge-cache/tier/ranges'
import { httpOrigin } from '../../../origin/http'
import { ManualClock } from '../../support/clock'
import { generated, startOrigin, type TestOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { tierEntry } from '../../support/tier-entry'
import { tierRequest } from '../../support/tier-request'

const NOW = Date.UTC(2026, 0, 1)
const MiB = 1024 * 1024
const large = tierEntry({ 'content-length': String(4 * MiB), etag: '"v1"' }, NOW)
const done = { done: true, size: 4 * MiB }

describe('planRange', () => {
  it.for([
    { what: 'no range asked', wanted: undefined, plan: { kind: 'whole' } },
    {
      what: 'a body no larger than L1 keeps',
      wanted: { value: 'bytes=0-9', minSize: 4 * MiB },
      plan: { kind: 'whole' },
    },
    {
      what: 'several ranges',
      wanted: { value: 'bytes=0-9,100-109', minSize: MiB },
      plan: { kind: 'whole' },
    },
    {
      what: 'If-Range for another validator',
      wanted: { value: 'bytes=0-9', ifRange: '"v2"', minSize: MiB },
      plan: { kind: 'whole' },
    },
    {
      what: 'one range of a large body',
      wanted: { value: 'bytes=10-19', ifRange: '"v1"', minSize: MiB },
      plan: { kind: 'stored', span: { start: 10, end: 19 }, size: 4 * MiB },
    },
    {
      what: 'a range past the end',
      wanted: { value: `bytes=${8 * MiB}-`, minSize: MiB },
      plan: { kind: 'unsatisfiable', size: 4 * MiB },
    },
  ])('answers $what: $plan.kind', ({ wanted, plan }, { expect }) => {
    expect(planRange(wanted, large, done, NOW)).toEqual(plan)
  })

  it('answers other statuses whole (RFC 9110 §14.2)', ({ expect }) => {
    const notFound = tierEntry({ 'content-length': String(4 * MiB) }, NOW)
    notFound.meta.status = 404
    expect(planRange({ value: 'bytes=0-9', minSize: 0 }, notFound, done, NOW)).toEqual({
      kind: 'whole',
    })
  })

  it('waits for a fill that is near the range and goes to the origin when it is far', ({
    expect,
  }) => {
    const huge = tierEntry({ 'content-length': String(64 * MiB) }, NOW)
    const writing = { done: false, size: MiB }
    const near = { value: `bytes=${MiB + RANGE_WAIT_BYTES - 1}-`, minSize: MiB }
    const far = { value: `bytes=${MiB + RANGE_WAIT_BYTES}-`, minSize: MiB }
    expect(planRange(near, huge, writing, NOW).kind).toBe('stored')
    expect(planRange(far, huge, writing, NOW).kind).toBe('origin')
  })

  it('answers a body of unknown length whole while it is written', ({ expect }) => {
    const streamed = tierEntry({}, NOW)
    const wanted = { value: 'bytes=0-9', minSize: 0 }
    expect(planRange(wanted, streamed, { done: false, size: 0 }, NOW)).toEqual({ kind: 'whole' })
    expect(planRange(wanted, streamed, { done: true, size: 100 }, NOW).kind).toBe('stored')
  })
})

describe('rangeFromOrigin', () => {
  let server: TestOrigin
  let control: ReturnType<typeof originControl>
  beforeAll(async () => {
    server = await startOrigin()
    control = originControl(server.url)
  })
  afterAll(() => server.close())

  const parts = () => {
    const clock = new ManualClock(NOW)
    return { clock, originFor: () => httpOrigin({ url: server.url, timeoutMs: 2000 }) }
  }

  it('cuts the range from an origin that ignores Range', async ({ expect }) => {
    await control.script('/whole.bin', { bytes: 1000 })
    const request = tierRequest(server.url, 'a.test', '/whole.bin')
    const status = { cache: 'edge-tier' }
    const response = await rangeFromOrigin(
      parts(),
      request,
      { start: 100, end: 199 },
      1000,
      status,
      { tierMs: 1 }
    )
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 100-199/1000')
    expect(response.headers.get('content-length')).toBe('100')
    const body = Buffer.from(await response.arrayBuffer())
    expect(body.equals(generated(1000).subarray(100, 200))).toBe(true)
    const [hit] = await control.hits('/whole.bin')
    expect(hit?.headers.range).toBe('bytes=100-199')
  })

  it('passes an origin’s other answers through', async ({ expect }) => {
    await control.script('/gone.bin', { status: 404, body: 'gone' })
    const request = tierRequest(server.url, 'a.test', '/gone.bin')
    const response = await rangeFromOrigin(
      parts(),
      request,
      { start: 0, end: 9 },
      1000,
      { cache: 'edge-tier' },
      { tierMs: 1 }
    )
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('gone')
    expect(response.headers.get('cache-status')).toBe('edge-tier')
  })

  it('answers an origin failure as a gateway error', async ({ expect }) => {
    await control.script('/reset.bin', { destroy: true })
    const request = tierRequest(server.url, 'a.test', '/reset.bin')
    const response = await rangeFromOrigin(
      parts(),
      request,
      { start: 0, end: 9 },
      1000,
      { cache: 'edge-tier' },
      { tierMs: 1 }
    )
    expect(response.status).toBeGreaterThanOrEqual(502)
    await response.arrayBuffer()
  })
})
