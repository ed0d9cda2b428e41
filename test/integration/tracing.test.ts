/**
 * W3C Trace Context through the request path: the origin receives the client's trace id on a
 * miss (edge → tier → origin), the response names the trace in Server-Timing, and the request's
 * structured log lines carry the trace id, at the edge and in the tier shard, and the request
 * path's I/O runs in custom spans that name the trace.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it, vi } from 'vitest'
import type { SpanAttributes, Spans } from '../../edge-cache/tracing/spans'
import { createWorker } from '../../workers/index'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const origin = originControl(inject('originUrl'))
const TRACE = '0af7651916cd43dd8448eb211c80319c'
const CLIENT_SPAN = 'b7ad6b7169203331'

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'traced',
    hosts: ['traced.test'],
    origin: { kind: 'http', url: inject('originUrl') },
  })
})

function get(path: string, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request(`https://traced.test${path}`, { cf: FRA, headers } as RequestInit)
  )
}

describe('tracing', () => {
  it('carries the client’s trace id through the tier to the origin on a miss', async ({
    expect,
  }) => {
    const res = await get('/traced.css', { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss/)
    await res.arrayBuffer()
    const hits = await origin.hits('/traced.css')
    expect(hits).toHaveLength(1)
    const sent = String(hits[0]?.headers.traceparent)
    // Same trace; the parent is the edge's own span, not the client's.
    expect(sent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`))
    expect(sent).not.toContain(CLIENT_SPAN)
    expect(res.headers.get('server-timing')).toContain(`traceparent;desc="${sent}"`)
  })

  it('starts a trace when the client sends none and names it in Server-Timing', async ({
    expect,
  }) => {
    const res = await get('/untraced.css')
    await res.arrayBuffer()
    const timing = res.headers.get('server-timing') ?? ''
    const named = /traceparent;desc="00-([0-9a-f]{32})-[0-9a-f]{16}-01"/.exec(timing)
    expect(named).not.toBeNull()
    const hits = await origin.hits('/untraced.css')
    expect(String(hits[0]?.headers.traceparent)).toContain(`-${named?.[1]}-`)
  })

  it('puts the trace id in the request’s structured log lines', async ({ expect }) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const res = await exports.default.fetch(
        new Request('https://traced.test/_admin/zones', {
          headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01`, authorization: 'Bearer wrong' },
        })
      )
      expect(res.status).toBe(401)
      await res.arrayBuffer()
      const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])))
      expect(lines).toContainEqual(
        expect.objectContaining({ adminAuth: 'rejected', trace_id: TRACE })
      )
    } finally {
      warn.mockRestore()
    }
  })

  it('runs L1, the tier and the origin in custom spans that carry the trace id', async ({
    expect,
  }) => {
    const recorded: { name: string; attributes: SpanAttributes }[] = []
    const spans: Spans = {
      run: (name, attributes, fn) => {
        recorded.push({ name, attributes: attributes() })
        return fn()
      },
    }
    const app = createWorker({ spans })
    const ctx = createExecutionContext()
    const request = new Request('https://traced.test/spans.css', {
      cf: FRA,
      headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` },
    } as RequestInit)
    const res = await app.fetch(request, env, ctx)
    expect(res.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss/)
    await res.arrayBuffer()
    await waitOnExecutionContext(ctx)
    const names = recorded.map((s) => s.name)
    // A miss: L1 is read, the tier is asked, and L1 is written with what came back.
    expect(names).toEqual(expect.arrayContaining(['cdn.l1.get', 'cdn.tier', 'cdn.l1.put']))
    expect(names.indexOf('cdn.l1.get')).toBeLessThan(names.indexOf('cdn.tier'))
    for (const span of recorded) {
      expect(span.attributes['trace.id'], span.name).toBe(TRACE)
      expect(span.attributes['cdn.key'], span.name).toContain('traced.test/spans.css')
    }
  })

  it('puts the edge’s trace id in the tier shard’s log lines', async ({ expect }) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      // The origin is refused in the tier (nothing listens on port 9): the fill logs the failure.
      await putZone(env.CONFIG_DB, {
        name: 'traced-down',
        hosts: ['down.traced.test'],
        origin: { kind: 'http', url: 'http://127.0.0.1:9' },
      })
      const res = await exports.default.fetch(
        new Request('https://down.traced.test/gone.css', {
          cf: FRA,
          headers: { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` },
        } as RequestInit)
      )
      expect(res.status).toBeGreaterThanOrEqual(500)
      await res.arrayBuffer()
      const lines = error.mock.calls.flatMap((args) => {
        try {
          return [JSON.parse(String(args[0])) as Record<string, unknown>]
        } catch {
          return []
        }
      })
      expect(lines).toContainEqual(
        expect.objectContaining({ message: 'tier: origin fetch failed', trace_id: TRACE })
      )
    } finally {
      error.mockRestore()
    }
  })
})
