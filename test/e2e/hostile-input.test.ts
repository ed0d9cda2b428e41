import { connect } from 'node:net'
import { describe, it } from 'vitest'
import { FRA } from '../support/pops'
import { useProxyEdge } from '../support/proxy-edge'

// Hostile requests against `wrangler dev` in proxy mode: each gets a clear 4xx or is served
// safely, and none changes what other clients get from the cache.
const proxy = useProxyEdge()
const control = proxy.control

const FRA_BLOB = JSON.stringify(FRA)

function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return fetch(`${proxy.url}${path}`, { method, headers: { 'mf-cf-blob': FRA_BLOB, ...headers } })
}

/** Sends bytes as they are over a fresh connection and returns the status line. */
function rawRequest(bytes: string): Promise<string> {
  const url = new URL(proxy.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes))
    let data = ''
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')))
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
      if (data.includes('\r\n')) {
        resolve(data.slice(0, data.indexOf('\r\n')))
        socket.destroy()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(data.slice(0, data.indexOf('\r\n'))))
  })
}

describe('cache-key poisoning through unkeyed headers', () => {
  it.for([
    ['x-forwarded-host', 'evil.example'],
    ['x-original-url', '/admin'],
    ['x-rewrite-url', '/admin'],
    ['forwarded', 'host=evil.example'],
    ['x-http-method-override', 'DELETE'],
  ] as const)(
    'does not send %s upstream on a cacheable request',
    async ([field, value], { expect }) => {
      const path = `/poison/${field}`
      await control.script(path, { echoHeaders: [field] })
      const attacker = await get(path, { [field]: value })
      expect(attacker.status).toBe(200)
      expect(await attacker.text()).toBe(`origin body for ${path}\n${field}: `)
      const victim = await get(path)
      expect(await victim.text()).toBe(`origin body for ${path}\n${field}: `)
      expect(victim.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
      const seen = await control.hits(path)
      expect(seen).toHaveLength(1)
      expect(seen[0]?.method).toBe('GET')
    }
  )
})

describe('web cache deception', () => {
  it('does not cache a private page requested under a static-looking name', async ({ expect }) => {
    // The origin ignores the suffix and renders the account page, without caching headers.
    await control.script('/account/x.css', {
      body: 'account of user 1',
      removeHeaders: ['cache-control', 'etag'],
      headers: { 'content-type': 'text/html' },
    })
    await (await get('/account/x.css', { cookie: 'session=user1' })).text()
    await control.script('/account/x.css', {
      body: 'account of user 2',
      removeHeaders: ['cache-control', 'etag'],
      headers: { 'content-type': 'text/html' },
    })
    const other = await get('/account/x.css', { cookie: 'session=user2' })
    expect(await other.text()).toBe('account of user 2')
    expect(await control.hits('/account/x.css')).toHaveLength(2)
  })
})

describe('malformed and oversized requests', () => {
  it('answers an oversized URL with a 4xx, not a 5xx', async ({ expect }) => {
    const res = await get(`/${'a'.repeat(100_000)}`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })

  it('answers an oversized header with a 4xx, not a 5xx', async ({ expect }) => {
    const res = await get('/big-header', { 'x-big': 'b'.repeat(200_000) })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })

  it('passes invalid percent-encoding to an HTTP origin as it came, without a 5xx', async ({
    expect,
  }) => {
    const res = await get('/bad%zzencoding')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('origin body for /bad%zzencoding')
  })

  it.for([
    ['/../secret', '/secret'],
    ['/a/%2e%2e/secret', '/secret'],
  ] as const)(
    'keeps %s inside the origin (the origin sees %s)',
    async ([path, seen], { expect }) => {
      const status = await rawRequest(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nmf-cf-blob: ${FRA_BLOB}\r\nConnection: close\r\n\r\n`
      )
      expect(status).toMatch(/^HTTP\/1\.1 200/)
      expect(await control.hits(seen)).not.toHaveLength(0)
    }
  )

  it('cannot smuggle a request past the edge with Content-Length plus Transfer-Encoding', async ({
    expect,
  }) => {
    // RFC 9112 §6.3: Transfer-Encoding wins (or the message is refused). The Worker forwards a
    // request rebuilt from parsed fields, so nothing of the raw bytes reaches the origin.
    const status = await rawRequest(
      'POST /smuggle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nX: y\r\n\r\n'
    )
    expect(status).toMatch(/^HTTP\/1\.1 (200|400)/)
    expect(await control.hits('/admin')).toHaveLength(0)
    const posts = await control.hits('/smuggle')
    expect(posts.every((hit) => !String(hit.body ?? '').includes('GET /admin'))).toBe(true)
  })
})
