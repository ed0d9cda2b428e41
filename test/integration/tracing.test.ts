/**
 * W3C Trace Context through the request path: the origin receives the client's trace id on a
 * miss (edge → tier → origin), the response names the trace in Server-Timing, and the request's
 * structured log lines carry the trace id.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it, vi } from 'vitest'
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
})
