/**
 * The operator dashboard in a real browser (Debian's `chromium`, driven by puppeteer-core)
 * against `wrangler dev`: sign in, see non-zero charts after traffic from three simulated PoPs,
 * purge a cache tag through the form and see the next request miss. The screenshot goes to
 * test/output/dashboard.png. Skips, saying why, when chromium is not installed.
 */
import { existsSync, mkdirSync } from 'node:fs'
import puppeteer, { type Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { layerOf } from '../support/layers'
import { startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { AMS, FRA, IAD, LAX } from '../support/pops'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
if (!CHROMIUM) {
  console.warn('chromium not found: the dashboard browser test skips (apt-get install chromium)')
}

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
/** Four PoPs in two regions. */
const POPS = [FRA, AMS, IAD, LAX]
const REGION_OF: Record<string, string> = { FRA: 'eu', AMS: 'eu', IAD: 'us', LAX: 'us' }
const PURGE_STALENESS_MS = 1000

/**
 * What the page's elements offer here (the test's tsconfig has no DOM library). Casts only:
 * the callbacks run in the browser, so they may not call anything of this file.
 */
interface Dom {
  id: string
  textContent: string | null
  dataset: Record<string, string | undefined>
}

let origin: TestOrigin
let edge: RunningEdge
let browser: Browser | undefined

async function adminCall(method: string, path: string, body?: unknown) {
  const res = await fetch(`${edge.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await res.json()) as { result: unknown }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json.result
}

/** What the edge served this test, by the layer that answered and by region: what analytics must count. */
const served = {
  total: 0,
  byLayer: {} as Record<string, number>,
  byRegion: {} as Record<string, number>,
}

async function get(path: string, pop = FRA) {
  const res = await fetch(`${edge.url}${path}`, { headers: { 'mf-cf-blob': JSON.stringify(pop) } })
  await res.arrayBuffer()
  // Only requests the zone routed are counted (before the config arrives the edge has no zone).
  const status = res.headers.get('cache-status')
  if (status !== null) {
    const layer = layerOf(status)
    const region = REGION_OF[pop.colo] ?? 'unknown'
    served.total++
    served.byLayer[layer] = (served.byLayer[layer] ?? 0) + 1
    served.byRegion[region] = (served.byRegion[region] ?? 0) + 1
  }
  return res
}

beforeAll(async () => {
  if (!CHROMIUM) return
  origin = await startOrigin()
  edge = await startEdge({ vars: { ADMIN_TOKEN } })
  await adminCall('PUT', '/zones/shop', { hosts: ['127.0.0.1'] })
  await adminCall('PUT', '/zones/shop/origins/web', { kind: 'http', url: origin.url })
  await adminCall('PUT', '/zones/shop/routes/all', { pathPrefix: '/', origin: 'web' })
  const control = originControl(origin.url)
  for (const path of ['/promo.css', '/plain.css']) {
    await control.script(path, {
      headers: {
        'cache-control': 'public, max-age=600',
        'cache-tag': path === '/promo.css' ? 'promo' : 'plain',
      },
      body: `body of ${path}`,
    })
  }
  // The edge's config snapshot refreshes within CONFIG_TTL_MS (5 s by default).
  const configured = await eventually(
    async () => (await get('/plain.css')).headers.has('cache-status'),
    { timeoutMs: 15_000, intervalMs: 250 }
  )
  if (!configured) throw new Error('the shop zone never reached the edge')
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
  await origin?.close()
})

describe('the operator dashboard', () => {
  it.skipIf(!CHROMIUM)(
    'signs in, counts four PoPs’ traffic exactly by layer and region, and purges a tag through the form',
    async ({ expect }) => {
      for (const pop of POPS) {
        for (let i = 0; i < 3; i++) await get('/promo.css', pop)
      }
      expect((await get('/promo.css')).headers.get('cache-status')).toMatch(/edge-l1; hit/)
      // Every layer took part, so the counts are not trivially one bucket.
      expect(Object.keys(served.byLayer).sort()).toEqual(['l1', 'origin', 'tier'])
      // Isolates flush analytics every ANALYTICS_FLUSH_MS (10 s by default).
      let counted = 0
      await eventually(
        async () => {
          const report = (await adminCall('GET', '/zones/shop/analytics?since=-1h')) as {
            totals: { requests: number }
          }
          counted = report.totals.requests
          return counted >= served.total
        },
        { timeoutMs: 30_000, intervalMs: 500 }
      )
      expect(counted).toBe(served.total)

      const page = await (browser as Browser).newPage()
      const problems: string[] = []
      page.on('pageerror', (error) => problems.push(String(error)))
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
      page.on('request', (r) => {
        if (!r.url().startsWith(edge.url)) problems.push(`request to another site: ${r.url()}`)
      })
      await page.setViewport({ width: 1400, height: 1000 })
      const loaded = await page.goto(`${edge.url}/_admin/ui/`, { waitUntil: 'load' })
      expect(loaded?.headers()['content-security-policy']).toContain("script-src 'self'")
      await page.type('#token', ADMIN_TOKEN)
      await page.click('#sign-in-form button[type=submit]')
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 })
      expect(page.url()).not.toContain(ADMIN_TOKEN)

      const totals = await page.$$eval('.chart', (els) =>
        Object.fromEntries(
          els.map((el) => [(el as unknown as Dom).id, Number((el as unknown as Dom).dataset.total)])
        )
      )
      for (const id of ['chart-layer', 'chart-status', 'chart-region', 'chart-colo', 'chart-bytes'])
        expect(totals[id], id).toBeGreaterThan(0)
      const requests = await page.$eval(
        '.tile[data-name="Requests"] b',
        (el) => (el as unknown as Dom).textContent
      )
      expect(Number(requests)).toBe(served.total)
      // The page's exact counts per layer and per region are what the edge served.
      const counts = (id: string) =>
        page.$$eval(`#${id} tbody tr`, (rows) =>
          Object.fromEntries(
            rows.map((row) => {
              const cells = (row as unknown as { cells: Dom[] }).cells
              return [cells[0]?.textContent ?? '', Number(cells[1]?.textContent)]
            })
          )
        )
      expect(await counts('counts-layer')).toEqual(served.byLayer)
      expect(await counts('counts-region')).toEqual(served.byRegion)
      const colos = await page.$$eval('#chart-colo .u-legend .u-label', (els) =>
        els.map((el) => (el as unknown as Dom).textContent)
      )
      expect(colos).toEqual(expect.arrayContaining(POPS.map((p) => p.colo)))
      const topUrl = await page.$eval(
        '#top-urls tbody tr td',
        (el) => (el as unknown as Dom).textContent
      )
      expect(topUrl).toContain('/promo.css')

      await page.select('#purge-kind', 'tags')
      await page.type('#purge-values', 'promo')
      await page.click('#purge-form button[type=submit]')
      await page.waitForSelector('#purge-result[data-outcome]')
      const outcome = await page.$eval('#purge-result', (el) => ({
        ok: (el as unknown as Dom).dataset.outcome,
        text: (el as unknown as Dom).textContent,
      }))
      expect(outcome.ok, outcome.text ?? '').toBe('ok')

      // Within the purge bound, a request misses (L1 hits before it change nothing); an
      // untagged object still hits.
      const missed = async () =>
        !/hit/.test((await get('/promo.css')).headers.get('cache-status') ?? 'hit')
      expect(await eventually(missed, { timeoutMs: PURGE_STALENESS_MS + 100 })).toBe(true)
      expect((await get('/plain.css')).headers.get('cache-status')).toMatch(/edge-l1; hit/)

      await page.click('#zone-form button[type=submit]')
      await page.waitForNetworkIdle()
      const audit = await page.$eval('#audit', (el) => (el as unknown as Dom).textContent)
      expect(audit).toContain('purge_cache')
      mkdirSync('test/output', { recursive: true })
      await page.screenshot({ path: 'test/output/dashboard.png', fullPage: true })
      expect(problems).toEqual([])
    },
    120_000
  )
})
