/**
 * What an origin receives, through the whole Worker in workerd (edge, L1, tier) to a real
 * loopback origin: client-address fields it can trust, no unkeyed override field that could
 * poison a shared entry, and a route that keys on a field instead.
 * @see origin/forwarded-headers.ts, origin/poisoning-headers.ts
 */
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { CLIENT_IP_HEADERS } from '../../origin/forwarded-headers'
import { UNKEYED_OVERRIDE_HEADERS } from '../../origin/poisoning-headers'
import { deploymentLoopToken } from '../../workers/trusted-request'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
/** Stands in for the address Cloudflare's edge puts in CF-Connecting-IP. */
const CLIENT_IP = '203.0.113.9'
const SPOOFED_IP = '6.6.6.6'

function get(url: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  return exports.default.fetch(
    new Request(url, {
      ...init,
      headers: { 'cf-connecting-ip': CLIENT_IP, ...headers },
      cf: FRA,
    } as RequestInit)
  )
}

/** The `name: value` lines the origin echoed. */
function echoed(body: string): Map<string, string> {
  const lines = body.split('\n').slice(1)
  return new Map(
    lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])
  )
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'trust',
    hosts: ['trust.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await putZone(env.CONFIG_DB, {
    name: 'keyed',
    hosts: ['keyed.test'],
    origin: { kind: 'http', url: originUrl },
    route: { cacheKeyHeaders: ['x-forwarded-prefix'] },
  })
})

/** The published wordlists' override fields and client-IP fields, plus Next.js families. */
const WORDLIST = [
  ...UNKEYED_OVERRIDE_HEADERS,
  ...CLIENT_IP_HEADERS.filter((name) => name !== 'cf-connecting-ip'),
  'x-middleware-prefetch',
  'x-middleware-subrequest',
  'x-middleware-invoke',
]

describe('cache poisoning through unkeyed fields', () => {
  // One request with the field, then a clean one: the clean one must not get the attacker's text.
  it.for(WORDLIST)(
    '%s poisons no entry (origin reflects every field, no Vary)',
    async (name, { expect }) => {
      const path = `/reflect/${name}`
      await origin.script(path, { echoAllHeaders: true })
      const value = CLIENT_IP_HEADERS.includes(name) ? SPOOFED_IP : `evil-${name}.example`
      const attacker = await get(`https://trust.test${path}`, { [name]: value })
      expect(attacker.status).toBe(200)
      expect(await attacker.text()).not.toContain(value)
      const victim = await get(`https://trust.test${path}`)
      const body = await victim.text()
      // The victim is served the entry the attacker's request stored.
      expect(victim.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
      expect(body).not.toContain(value)
    }
  )

  it('still forwards the fields apps declare in Vary (Next.js RSC)', async ({ expect }) => {
    await origin.script('/reflect-rsc', {
      echoHeaders: ['rsc', 'next-router-state-tree'],
      headers: { vary: 'RSC, Next-Router-State-Tree' },
    })
    const flight = await get('https://trust.test/reflect-rsc', {
      rsc: '1',
      'next-router-state-tree': '%5B%5D',
    })
    expect(await flight.text()).toContain('\nrsc: 1\nnext-router-state-tree: %5B%5D')
    const page = await get('https://trust.test/reflect-rsc')
    expect(await page.text()).toContain('\nrsc: \n')
  })

  it('forwards a field the route keys on, and keys on it', async ({ expect }) => {
    await origin.script('/prefixed', { echoHeaders: ['x-forwarded-prefix'] })
    const a = await get('https://keyed.test/prefixed', { 'x-forwarded-prefix': '/a' })
    expect(await a.text()).toContain('x-forwarded-prefix: /a')
    expect(a.headers.get('vary')).toContain('x-forwarded-prefix')
    const b = await get('https://keyed.test/prefixed', { 'x-forwarded-prefix': '/b' })
    expect(await b.text()).toContain('x-forwarded-prefix: /b')
    const none = await get('https://keyed.test/prefixed')
    expect(await none.text()).toMatch(/x-forwarded-prefix: $/)
    const again = await get('https://keyed.test/prefixed', { 'x-forwarded-prefix': '/a' })
    expect(await again.text()).toContain('x-forwarded-prefix: /a')
    expect(again.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
    expect(await origin.hits('/prefixed')).toHaveLength(3)
  })
})

describe('client-address fields', () => {
  const spoofed = {
    'x-forwarded-for': SPOOFED_IP,
    'x-real-ip': SPOOFED_IP,
    'true-client-ip': SPOOFED_IP,
    'x-client-ip': SPOOFED_IP,
  }

  it('gives the origin the connecting address on a cacheable request, never a spoofed one', async ({
    expect,
  }) => {
    await origin.script('/who.txt', { echoAllHeaders: true })
    const body = await (await get('https://trust.test/who.txt', spoofed)).text()
    const seen = echoed(body)
    expect(seen.get('x-forwarded-for')).toBe(CLIENT_IP)
    expect(seen.get('x-real-ip')).toBe(CLIENT_IP)
    expect(seen.get('true-client-ip')).toBe(CLIENT_IP)
    expect(seen.has('x-client-ip')).toBe(false)
    expect(body).not.toContain(SPOOFED_IP)
  })

  it('appends the connecting address to the client list on an uncached request', async ({
    expect,
  }) => {
    await origin.script('/who-post', { echoAllHeaders: true })
    const res = await get('https://trust.test/who-post', spoofed, { method: 'POST', body: 'x' })
    const seen = echoed(await res.text())
    expect(seen.get('x-forwarded-for')).toBe(`${SPOOFED_IP}, ${CLIENT_IP}`)
    expect(seen.get('x-real-ip')).toBe(CLIENT_IP)
    expect(seen.has('x-client-ip')).toBe(false)
  })
})

describe('CDN-Loop', () => {
  const token = deploymentLoopToken(env.PURGE_LOG)

  it('is one token per deployment, the same for every request of it', ({ expect }) => {
    expect(token).toMatch(/^edge-cdn-[0-9a-f]{16}$/)
    expect(deploymentLoopToken(env.PURGE_LOG)).toBe(token)
    expect(deploymentLoopToken(env.CACHE_TIER)).not.toBe(token)
  })

  it('refuses a request carrying its own token with 508, and only that request', async ({
    expect,
  }) => {
    await origin.script('/looped.txt', { echoHeaders: ['cdn-loop'] })
    const looped = await get('https://trust.test/looped.txt', { 'cdn-loop': `other, ${token}` })
    expect(looped.status).toBe(508)
    expect(((await looped.json()) as { error: { code: string } }).error.code).toBe('loop_detected')
    expect(await origin.hits('/looped.txt')).toHaveLength(0)
    const clean = await get('https://trust.test/looped.txt', { 'cdn-loop': 'other' })
    expect(clean.status).toBe(200)
    expect(await clean.text()).toContain(`\ncdn-loop: other, ${token}`)
  })
})
