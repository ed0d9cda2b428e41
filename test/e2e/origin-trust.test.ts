/**
 * What an origin receives, end to end through `wrangler dev`: the client's real address (from
 * the connection, as Miniflare sets CF-Connecting-IP from the socket) and never a spoofed one,
 * and a zone whose origin is the CDN itself refused with 508 after exactly one origin hop.
 * @see origin/forwarded-headers.ts, edge-cache/loop.ts
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { FRA } from '../support/pops'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

/**
 * The proxy-mode origin: `/loop/...` is passed on to the edge itself (an origin pointing back
 * at the CDN) and counted; anything else answers a cacheable JSON echo of the request fields.
 */
let edge: RunningEdge | undefined
let server: Server | undefined
const loopHops: IncomingHttpHeaders[] = []

function startOrigin(): Promise<string> {
  const origin = createServer((req, res) => {
    if (req.url?.startsWith('/loop/') && edge) {
      loopHops.push(req.headers)
      const target = new URL(edge.url)
      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      forward.on('error', () => res.destroy())
      req.pipe(forward)
      return
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=60',
    })
    res.end(JSON.stringify(req.headers))
  })
  server = origin
  return new Promise((resolve) =>
    origin.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(origin.address() as AddressInfo).port}`)
    })
  )
}

beforeAll(async () => {
  const originUrl = await startOrigin()
  edge = await startEdge({ vars: { ORIGIN_URL: originUrl, ORIGIN_TIMEOUT_MS: '5000' } })
})
afterAll(async () => {
  await edge?.stop()
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve())
})

function at(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('mf-cf-blob', JSON.stringify(FRA))
  return fetch(`${edge?.url}${path}`, { ...init, headers })
}

describe('client-address fields through wrangler dev', () => {
  const spoofed = {
    'x-forwarded-for': '6.6.6.6',
    'x-real-ip': '6.6.6.6',
    'true-client-ip': '6.6.6.6',
    'x-client-ip': '6.6.6.6',
  }

  it('gives the origin the connecting address, never the spoofed ones', async ({ expect }) => {
    const res = await at('/who.json', { headers: spoofed })
    expect(res.status).toBe(200)
    const seen = (await res.json()) as Record<string, string>
    expect(seen['x-forwarded-for']).toBe('127.0.0.1')
    expect(seen['x-real-ip']).toBe('127.0.0.1')
    expect(seen['true-client-ip']).toBe('127.0.0.1')
    expect(seen['x-client-ip']).toBeUndefined()
    expect(JSON.stringify(seen)).not.toContain('6.6.6.6')
  })

  it('appends the connecting address to the client list on an uncached request', async ({
    expect,
  }) => {
    const res = await at('/who-post.json', { method: 'POST', body: 'x', headers: spoofed })
    const seen = (await res.json()) as Record<string, string>
    expect(seen['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1')
    expect(seen['x-real-ip']).toBe('127.0.0.1')
  })
})

describe('loop protection through wrangler dev', () => {
  it('answers 508 on the first loop, after exactly one origin hop', async ({ expect }) => {
    const res = await at('/loop/page.html')
    expect(res.status).toBe(508)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('loop_detected')
    expect(body.error.message).toMatch(/CDN-Loop carries edge-cdn-[0-9a-f]{16}/)
    expect(loopHops).toHaveLength(1)
    expect(loopHops[0]?.['cdn-loop']).toMatch(/^edge-cdn-[0-9a-f]{16}$/)
  })

  it('serves a request carrying another CDN’s token', async ({ expect }) => {
    const res = await at('/cdn-loop.json', { headers: { 'cdn-loop': 'other-cdn, edge-cdn-0' } })
    expect(res.status).toBe(200)
    const seen = (await res.json()) as Record<string, string>
    expect(seen['cdn-loop']).toMatch(/^other-cdn, edge-cdn-0, edge-cdn-[0-9a-f]{16}$/)
  })
})
