import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { httpOrigin } from '../../origin/http'

// A real loopback server that records the request fields it receives.
let seen: IncomingHttpHeaders = {}
let url = ''
const server = createServer((req, res) => {
  seen = req.headers
  res.end('ok')
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function request(headers: Record<string, string> = {}) {
  return {
    method: 'GET',
    path: '/a',
    search: '',
    headers: new Headers(headers),
    clientHost: 'shop.example',
  }
}

describe('httpOrigin host handling', () => {
  it('sends the origin its own host by default, and no client host', async ({ expect }) => {
    await (await httpOrigin({ url, timeoutMs: 1000 }).fetch(request())).text()
    expect(seen.host).toBe(new URL(url).host)
    expect(seen['x-forwarded-host']).toBeUndefined()
  })

  it('forwards the host the client asked for when configured, over any client header', async ({
    expect,
  }) => {
    const origin = httpOrigin({ url, timeoutMs: 1000, hostHeader: 'forwarded' })
    await (await origin.fetch(request({ 'x-forwarded-host': 'evil.example' }))).text()
    expect(seen.host).toBe(new URL(url).host)
    expect(seen['x-forwarded-host']).toBe('shop.example')
  })

  // W3C Edge Architecture §2.1: the origin learns the device token it can target.
  it('announces its Surrogate-Capability, after any a client or surrogate sent', async ({
    expect,
  }) => {
    const origin = httpOrigin({ url, timeoutMs: 1000 })
    await (await origin.fetch(request())).text()
    expect(seen['surrogate-capability']).toBe('edge-cdn="Surrogate/1.0"')
    await (await origin.fetch(request({ 'surrogate-capability': 'a="Surrogate/1.0"' }))).text()
    expect(seen['surrogate-capability']).toBe('a="Surrogate/1.0", edge-cdn="Surrogate/1.0"')
  })
})
