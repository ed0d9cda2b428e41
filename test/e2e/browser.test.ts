/**
 * A real browser through the CDN (issue 19): headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core) loads a page whose stylesheet and script come gzipped and chunked from nginx
 * (`gzip on; gzip_vary on`) through `wrangler dev`: first visit and reloads, no failed request,
 * the stylesheet applied and the script executed, and the reload served from L1.
 */
import { existsSync } from 'node:fs'
import puppeteer, { type Browser, type HTTPResponse, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { nginxMissing, type RunningNginx, startNginx } from '../support/nginx'
import { FRA } from '../support/pops'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const CHROMIUM = '/usr/bin/chromium'
const missing =
  nginxMissing() ??
  (existsSync(CHROMIUM)
    ? undefined
    : `chromium is not installed (${CHROMIUM}): apt-get install -y chromium`)
if (missing) console.warn(`skipping the browser test: ${missing}`)

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>through the CDN</title>
<link rel="stylesheet" href="/app.css"></head>
<body><div id="box">box</div><script src="/app.js"></script></body></html>
`
/** Large enough for nginx to gzip; the rule the test checks is the last one. */
const CSS = `${Array.from({ length: 200 }, (_, i) => `.unused-${i} { margin: ${i}px }`).join('\n')}
#box { width: 123px; }
`
const JS = `${Array.from({ length: 200 }, (_, i) => `function unused${i}() { return ${i} }`).join('\n')}
document.body.dataset.ran = 'yes'
document.body.dataset.width = getComputedStyle(document.getElementById('box')).width
`

let nginx: RunningNginx | undefined
let edge: RunningEdge | undefined
let browser: Browser | undefined

beforeAll(async () => {
  if (missing) return
  nginx = await startNginx({ 'index.html': PAGE, 'app.css': CSS, 'app.js': JS })
  edge = await startEdge({ vars: { ORIGIN_URL: nginx.url } })
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
  await nginx?.stop()
})

const pages: Array<{ page: Page; seen: Seen[] }> = []

function edgeUrl(): string {
  if (!edge) throw new Error('the edge is not running')
  return edge.url
}

/** A page in a fresh browser profile (its own HTTP cache), from the PoP FRA. */
async function newPage(failed: string[]): Promise<{ page: Page; seen: Seen[] }> {
  if (!browser) throw new Error('the browser is not running')
  const context = await browser.createBrowserContext()
  const page = await context.newPage()
  await page.setExtraHTTPHeaders({
    'mf-cf-blob': JSON.stringify(FRA),
  })
  const entry = { page, seen: [] as Seen[] }
  page.on('requestfailed', (request) => {
    failed.push(`${request.url()}: ${request.failure()?.errorText}`)
  })
  page.on('response', (response: HTTPResponse) => {
    const headers = response.headers()
    entry.seen.push({
      url: new URL(response.url()).pathname,
      status: response.status(),
      encoding: headers['content-encoding'],
      cacheStatus: headers['cache-status'],
    })
  })
  pages.push(entry)
  return entry
}

/**
 * Navigates and waits for the script to have run.
 * @returns the responses of this navigation
 */
async function load(
  entry: { page: Page; seen: Seen[] },
  navigate: (page: Page) => Promise<unknown>
): Promise<Seen[]> {
  entry.seen.length = 0
  await navigate(entry.page)
  // Strings run in the page (the test's own types have no DOM).
  await entry.page.waitForFunction("document.body.dataset.ran === 'yes'", { timeout: 10_000 })
  const width = await entry.page.evaluate('document.body.dataset.width')
  if (width !== '123px') throw new Error(`the stylesheet did not apply: #box is ${String(width)}`)
  return [...entry.seen]
}

interface Seen {
  url: string
  status: number
  encoding?: string
  cacheStatus?: string
}

describe.skipIf(missing !== undefined)('a browser through the CDN', () => {
  it('loads gzipped CSS and JS from nginx on the first visit and reload, scripts run', async ({
    expect,
  }) => {
    const failed: string[] = []
    const visits: Array<{ name: string; seen: Seen[] }> = []
    // First visit and a reload in one browser profile; then two first visits in fresh profiles,
    // the last of which is the third ordinary request for each asset from this PoP.
    const first = await newPage(failed)
    visits.push({ name: 'first visit', seen: await load(first, (p) => p.goto(`${edgeUrl()}/`)) })
    visits.push({ name: 'reload', seen: await load(first, (p) => p.reload()) })
    for (const name of ['second visit', 'third visit']) {
      const page = await newPage(failed)
      visits.push({ name, seen: await load(page, (p) => p.goto(`${edgeUrl()}/`)) })
    }
    for (const { page } of pages) await page.browserContext().close()

    expect(failed).toEqual([])
    for (const { name, seen } of visits) {
      for (const path of ['/', '/app.css', '/app.js']) {
        const response = seen.find((r) => r.url === path)
        // A reload revalidates: the edge may answer the browser's conditional with a 304.
        expect([200, 304], `${name}: ${path}`).toContain(response?.status)
        if (path !== '/' && response?.status === 200) {
          // Chromium asks for gzip first; nginx compressed it, and it arrived as gzip.
          expect(response.encoding, `${name}: ${path}`).toBe('gzip')
        }
      }
    }
    const third = visits[3]?.seen ?? []
    for (const path of ['/app.css', '/app.js']) {
      expect(third.find((r) => r.url === path)?.cacheStatus, path).toMatch(/^edge-l1; hit/)
    }
  })
})
