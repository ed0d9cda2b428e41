/**
 * Compressed content from real origins, end to end through `wrangler dev` (issue 19): every
 * origin coding (identity, gzip, br; with and without Content-Length; chunked or not; with and
 * without `Vary: Accept-Encoding`) × every client (gzip, br, zstd, identity, nothing) × every path
 * (miss, tier hit, L1 hit, HEAD, range, revalidation). Origins: the test's own server, Debian's
 * nginx with `gzip on; gzip_vary on`, and pre-compressed objects in local R2 and the S3 server.
 * Every answer must decode, by its own `Content-Encoding`, to exactly the original bytes.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest'
import { decodeContent, type WireResponse, wireRequest } from '../support/encoded-client'
import { nginxMissing, type RunningNginx, startNginx } from '../support/nginx'
import { startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const run = promisify(execFile)
const WRANGLER = join(process.cwd(), 'node_modules/.bin/wrangler')

/** About 24 KB of script-like text: compresses the way real assets do. */
const ORIGINAL = Buffer.from(
  Array.from(
    { length: 400 },
    (_, i) => `export function f${i}(x) { return x * ${i} + ${(i * 7919) % 1000} } // line ${i}\n`
  ).join('')
)
const GZIP = gzipSync(ORIGINAL)
const BR = brotliCompressSync(ORIGINAL)

/** The zone for nginx, R2 and S3 origins; the test's own origin is proxy mode's catch-all. */
const ZONE_HOST = 'compress.localhost'
const S3_BUCKET = 'edge-cdn-compress-e2e'

const CLIENTS = [
  { name: 'gzip', acceptEncoding: 'gzip, deflate' },
  { name: 'br', acceptEncoding: 'br' },
  { name: 'zstd', acceptEncoding: 'zstd' },
  { name: 'identity', acceptEncoding: 'identity' },
  { name: 'nothing', acceptEncoding: undefined },
] as const

interface Case {
  name: string
  /** Path at the edge. */
  path: string
  host?: string
  /** Why the case cannot run here, if it cannot. */
  missing?: () => string | undefined
}

/** The test origin's objects: what it sends for each. */
const OWN = [
  { name: 'identity with Content-Length', file: 'id-cl.js', body: ORIGINAL, headers: {} },
  { name: 'identity chunked', file: 'id-ch.js', body: ORIGINAL, headers: {}, chunked: true },
  { name: 'gzip with Content-Length', file: 'gz-cl.js', body: GZIP, coding: 'gzip' },
  { name: 'gzip chunked', file: 'gz-ch.js', body: GZIP, coding: 'gzip', chunked: true },
  {
    name: 'gzip with Content-Length, Vary',
    file: 'gz-cl-v.js',
    body: GZIP,
    coding: 'gzip',
    vary: true,
  },
  { name: 'br with Content-Length', file: 'br-cl.js', body: BR, coding: 'br' },
  {
    name: 'br chunked, Vary',
    file: 'br-ch-v.js',
    body: BR,
    coding: 'br',
    chunked: true,
    vary: true,
  },
]

/**
 * The local S3 server as `npm test` starts it: the environment's S3_* first, else moto's
 * credentials file (as test/setup/s3.ts finds it for the workers project).
 */
function s3Settings() {
  const vars: Record<string, string> = {}
  const dir = process.env.S3_DIR ?? '.s3/moto'
  try {
    const file = readFileSync(
      join(isAbsolute(dir) ? dir : join(process.cwd(), dir), 'state', 'credentials.env'),
      'utf8'
    )
    for (const line of file.split('\n')) {
      const match = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line)
      if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2].replace(/^'(.*)'$/, '$1')
    }
  } catch {
    // no moto state: only the environment can name a server
  }
  const pick = (name: string) => process.env[name] || vars[name]
  return {
    endpoint: pick('S3_ENDPOINT'),
    key: pick('S3_KEY'),
    secret: pick('S3_SECRET'),
    region: pick('S3_REGION') || 'us-east-1',
  }
}
const s3 = s3Settings()
let s3Down: string | undefined
const s3Missing = () =>
  s3.endpoint && s3.key && s3.secret
    ? s3Down
    : 'no S3 server: bash .scripts/s3-moto.sh install (npm test starts it), or set S3_ENDPOINT, S3_KEY, S3_SECRET'

const CASES: Case[] = [
  ...OWN.map((o) => ({ name: `own origin, ${o.name}`, path: `/own/${o.file}` })),
  { name: 'nginx gzip on, script', path: '/nginx/app.js', host: ZONE_HOST, missing: nginxMissing },
  {
    name: 'nginx gzip on, stylesheet',
    path: '/nginx/app.css',
    host: ZONE_HOST,
    missing: nginxMissing,
  },
  { name: 'R2 object stored gzipped', path: '/r2/app.js', host: ZONE_HOST },
  { name: 'S3 object stored gzipped', path: '/s3/app.js', host: ZONE_HOST, missing: s3Missing },
]

let origin: TestOrigin | undefined
let nginx: RunningNginx | undefined
let edge: RunningEdge | undefined

beforeAll(async () => {
  origin = await startOrigin()
  const control = originControl(origin.url)
  for (const o of OWN) {
    const headers: Record<string, string> = { 'content-type': 'application/javascript' }
    if (o.coding) headers['content-encoding'] = o.coding
    if (o.vary) headers.vary = 'Accept-Encoding'
    const body = o.body.toString('base64')
    await control.script(`/own/${o.file}`, { bodyBase64: body, headers, chunked: o.chunked })
  }
  if (!nginxMissing()) {
    nginx = await startNginx({ 'app.js': ORIGINAL, 'app.css': cssText() })
  }
  if (!s3Missing()) {
    await putS3Object().catch((error: unknown) => {
      s3Down = `the S3 server at ${s3.endpoint} did not take the object: ${String(error)}`
    })
  }
  edge = await startEdge({
    vars: {
      ORIGIN_URL: origin.url,
      ...(s3.key && s3.secret ? { S3_TEST_KEY: s3.key, S3_TEST_SECRET: s3.secret } : {}),
      // The S3 keys may be named by origin config (granted to the zone in seedZone).
      ORIGIN_SECRETS: 'S3_TEST_KEY,S3_TEST_SECRET',
    },
    prepare: seedZone,
  })
}, 180_000)

afterAll(async () => {
  await edge?.stop()
  await nginx?.stop()
  await origin?.close()
})

function cssText(): Buffer {
  return Buffer.from(
    Array.from(
      { length: 300 },
      (_, i) => `.c${i} { margin: ${i}px; color: #${(i * 4099) % 0xffffff} }\n`
    ).join('')
  )
}

/** The original bytes of a case, before any coding. */
function originalOf(c: Case): Buffer {
  return c.path === '/nginx/app.css' ? cssText() : ORIGINAL
}

async function putS3Object() {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.key ?? '', secretAccessKey: s3.secret ?? '' },
  })
  await client.send(new CreateBucketCommand({ Bucket: S3_BUCKET })).catch(() => undefined)
  await client.send(
    new PutObjectCommand({
      Bucket: S3_BUCKET,
      Key: 'app.js',
      Body: GZIP,
      ContentType: 'application/javascript',
      ContentEncoding: 'gzip',
      CacheControl: 'public, max-age=600',
    })
  )
  client.destroy()
}

/** The zone's D1 rows and the gzipped R2 object, written before `wrangler dev` starts. */
async function seedZone(state: string) {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' }
  const q = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "''")}'`
  const origins: Record<string, unknown> = {
    nginx: { kind: 'http', url: nginx?.url ?? 'http://127.0.0.1:9' },
    r2: { kind: 'r2', binding: 'ORIGIN_BUCKET', prefix: 'compress/' },
    s3: {
      kind: 's3',
      bucket: S3_BUCKET,
      region: s3.region,
      endpoint: s3.endpoint ?? 'http://127.0.0.1:9',
      forcePathStyle: true,
      prefix: '',
      accessKeyIdSecret: 'S3_TEST_KEY',
      secretAccessKeySecret: 'S3_TEST_SECRET',
    },
  }
  const sql = [
    `INSERT INTO zones (name, hosts) VALUES ('compress', ${q([ZONE_HOST])})`,
    // What the operator grants the zone: the R2 bucket and the S3 keys its origins name.
    ...[
      ['bucket', 'ORIGIN_BUCKET'],
      ['secret', 'S3_TEST_KEY'],
      ['secret', 'S3_TEST_SECRET'],
    ].map(
      ([kind, name]) =>
        `INSERT INTO grants (zone, kind, name) VALUES ('compress', '${kind}', '${name}')`
    ),
    ...Object.entries(origins).flatMap(([name, spec]) => [
      `INSERT INTO origins (zone, name, spec) VALUES ('compress', '${name}', ${q(spec)})`,
      `INSERT INTO routes (zone, name, spec) VALUES ('compress', '${name}', ${q({
        pathPrefix: `/${name}/`,
        origin: name,
        bypass: false,
        tieredCache: true,
        allowSetCookie: false,
      })})`,
    ]),
  ].join('; ')
  const local = ['--local', '--persist-to', state]
  await run(WRANGLER, ['d1', 'execute', 'CONFIG_DB', ...local, '--command', sql], { env })
  const file = join(state, 'app.js.gz')
  await writeFile(file, GZIP)
  await run(
    WRANGLER,
    [
      'r2',
      'object',
      'put',
      'edge-cdn-origin/compress/app.js',
      ...local,
      '--file',
      file,
      '--content-type',
      'application/javascript',
      '--content-encoding',
      'gzip',
      '--cache-control',
      'public, max-age=600',
    ],
    { env }
  )
}

/** A request from a simulated PoP; `accept` undefined sends no Accept-Encoding at all. */
function at(
  colo: string,
  c: Case,
  accept: string | undefined,
  extra: Record<string, string> = {},
  method = 'GET'
): Promise<WireResponse> {
  if (!edge) throw new Error('the edge is not running')
  const port = new URL(edge.url).port
  const headers: Record<string, string> = {
    'mf-cf-blob': JSON.stringify({ colo, country: 'DE', continent: 'EU' }),
    ...extra,
  }
  if (c.host) headers.host = `${c.host}:${port}`
  if (accept !== undefined) headers['accept-encoding'] = accept
  return wireRequest(`${edge.url}${c.path}`, headers, method)
}

/**
 * Codings the client's Accept-Encoding allows (identity always, unless refused). Without the
 * field any coding is acceptable (RFC 9110 §12.5.3).
 */
function acceptable(accept: string | undefined): Set<string> {
  if (accept === undefined) return new Set(['identity', 'gzip', 'br'])
  const codings = new Set(['identity'])
  for (const part of (accept ?? '').split(',')) {
    const [coding] = part.trim().toLowerCase().split(';')
    if (coding) codings.add(coding)
  }
  return codings
}

function field(res: WireResponse, name: string): string | undefined {
  const value = res.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The checks every full answer passes: complete, labelled right, decoding to the original. */
function expectExact(
  expect: ExpectStatic,
  res: WireResponse,
  c: Case,
  accept: string | undefined,
  what: string
) {
  expect(res.transferError, what).toBeUndefined()
  expect(res.status, what).toBe(200)
  const coding = field(res, 'content-encoding') ?? 'identity'
  expect(acceptable(accept).has(coding), `${what}: ${coding} not acceptable to ${accept}`).toBe(
    true
  )
  const length = field(res, 'content-length')
  if (length !== undefined) expect(Number(length), what).toBe(res.body.length)
  // Every case's coding is chosen by Accept-Encoding (stored gzip/br, or text the edge compresses).
  expect(field(res, 'vary') ?? '', `${what}: Vary`).toMatch(/accept-encoding/i)
  expect(decodeContent(res.body, coding).equals(originalOf(c)), `${what}: bytes differ`).toBe(true)
}

const POPS = ['FRA', 'AMS', 'CDG', 'MAD', 'MUC']

describe('compressed content through wrangler dev', () => {
  it.for(CASES)('$name: every client, every path, byte-exact', async (c, { expect }) => {
    const reason = c.missing?.()
    if (reason) {
      console.warn(`skipped "${c.name}": ${reason}`)
      return
    }
    for (const [i, client] of CLIENTS.entries()) {
      const pop = POPS[i] ?? 'FRA'
      const accept = client.acceptEncoding
      const label = (step: string) => `${c.name}, client ${client.name} at ${pop}, ${step}`
      let last: WireResponse | undefined
      for (const step of ['first', 'second', 'third']) {
        last = await at(pop, c, accept)
        expectExact(expect, last, c, accept, label(step))
      }
      expect(field(last as WireResponse, 'cache-status'), label('third')).toMatch(/^edge-l1; hit/)
      const third = last as WireResponse

      const head = await at(pop, c, accept, {}, 'HEAD')
      expect(head.transferError, label('HEAD')).toBeUndefined()
      expect(head.status, label('HEAD')).toBe(200)
      expect(head.body.length, label('HEAD')).toBe(0)
      expect(field(head, 'content-encoding'), label('HEAD')).toBe(field(third, 'content-encoding'))

      // A range of an identity representation is a 206 of its bytes; a content-coded one is
      // answered whole (edge-cache/answer.ts).
      const part = await at(pop, c, accept, { range: 'bytes=0-9' })
      expect(part.transferError, label('range')).toBeUndefined()
      if (part.status === 206) {
        // The front line may compress the part in transit (wrangler dev's does, for text).
        const coding = field(part, 'content-encoding')
        expect(coding === undefined || acceptable(accept).has(coding), label('range')).toBe(true)
        const bytes = decodeContent(part.body, coding)
        expect(bytes.equals(originalOf(c).subarray(0, 10)), label('range bytes')).toBe(true)
        const size = originalOf(c).length
        expect(field(part, 'content-range'), label('range')).toBe(`bytes 0-9/${size}`)
      } else {
        expectExact(expect, part, c, accept, label('range answered whole'))
      }

      // A reload: the tier revalidates with the origin (a 304 from nginx and the test origin).
      const reload = await at(pop, c, accept, { 'cache-control': 'no-cache' })
      expectExact(expect, reload, c, accept, label('reload (revalidated)'))
    }
  })

  it('revalidates a gzipped entry with the origin and still serves the exact bytes', async ({
    expect,
  }) => {
    if (!origin) throw new Error('no origin')
    const control = originControl(origin.url)
    const path = '/own/gz-revalidate.js'
    await control.script(path, {
      bodyBase64: GZIP.toString('base64'),
      headers: { 'content-encoding': 'gzip', 'cache-control': 'public, no-cache' },
    })
    const c = { name: 'revalidate', path }
    for (const [i, client] of CLIENTS.entries()) {
      const res = await at(POPS[i] ?? 'FRA', c, client.acceptEncoding)
      expectExact(expect, res, c, client.acceptEncoding, `revalidation, client ${client.name}`)
    }
    const hits = await control.hits(path)
    expect(hits.length).toBeGreaterThan(1)
    // Every request after the first was a conditional the origin answered 304.
    expect(hits.slice(1).every((h) => h.headers['if-none-match'] !== undefined)).toBe(true)
  })

  it('gives collapsed waiters, in the tier and in L1, the exact gzip bytes', async ({ expect }) => {
    if (!origin) throw new Error('no origin')
    const control = originControl(origin.url)
    const path = '/own/gz-collapse.js'
    await control.script(path, {
      bodyBase64: GZIP.toString('base64'),
      delayMs: 300,
      headers: { 'content-type': 'application/javascript', 'content-encoding': 'gzip' },
    })
    const c = { name: 'collapse', path }
    // Eight PoPs of one region meet in the tier shard; four more requests wait at FRA's L1.
    const colos = ['FRA', 'AMS', 'CDG', 'MAD', 'MUC', 'VIE', 'WAW', 'ZRH', 'FRA', 'FRA', 'FRA']
    const answers = await Promise.all(colos.map((colo) => at(colo, c, 'gzip')))
    for (const [i, res] of answers.entries()) {
      expectExact(expect, res, c, 'gzip', `concurrent request ${i} from ${colos[i]}`)
    }
    const statuses = answers.map((res) => field(res, 'cache-status') ?? '')
    expect(statuses.some((s) => s.includes('collapsed'))).toBe(true)
    expect(await control.hits(path)).toHaveLength(1)
  })
})
