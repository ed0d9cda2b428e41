// Seeds the demo zone: D1 rows for zone `demo` (localhost) and its R2 origin, and the demo
// objects in local R2. Objects are generated here (the video is never committed) and uploaded
// only when they changed, so re-running `npm start` is quick and idempotent.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { crc32, deflateSync } from 'node:zlib'

const DEMO_DIR = '.demo'
const STATE_DIR = process.env.EDGE_STATE_DIR ?? '.wrangler/state'
// Upload stamps live beside the state they describe: wiping the state forgets them too.
const STAMP_DIR = `${STATE_DIR}/demo-uploads`
const BUCKET = 'edge-cdn-origin'
const VIDEO_BYTES = 50 * 1024 * 1024 + 4096

const zone = { name: 'demo', hosts: ['localhost', '127.0.0.1', 'demo.localhost'] }
const origin = { name: 'demo-r2', spec: { kind: 'r2', binding: 'ORIGIN_BUCKET', prefix: 'demo/' } }
const route = {
  name: 'all',
  spec: { pathPrefix: '/', origin: 'demo-r2', bypass: false, allowSetCookie: false },
}

const STYLE = `body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; color: #1d2430 }
h1 { display: flex; gap: .75rem; align-items: center }
code { background: #eef1f5; padding: 0 .25rem; border-radius: 3px }
`

const objects = [
  {
    key: 'index.html',
    type: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=60, stale-while-revalidate=30',
    make: indexHtml,
  },
  {
    key: 'style.css',
    type: 'text/css; charset=utf-8',
    cacheControl: 'public, max-age=3600',
    make: () => Buffer.from(STYLE),
  },
  { key: 'logo.png', type: 'image/png', cacheControl: 'public, max-age=86400', make: logoPng },
  { key: 'video.mp4', type: 'video/mp4', cacheControl: 'public, max-age=86400', file: videoFile },
]

mkdirSync(DEMO_DIR, { recursive: true })
mkdirSync(STAMP_DIR, { recursive: true })
wrangler('d1', 'execute', 'CONFIG_DB', '--local', '--command', seedSql())

for (const object of objects) {
  const path = `${DEMO_DIR}/${object.key}`
  if (object.file) object.file(path)
  else writeFileSync(path, object.make())
  const stamp = `${STAMP_DIR}/${object.key}`
  const digest = sha256(path) + object.type + object.cacheControl
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) continue
  wrangler(
    'r2',
    'object',
    'put',
    `${BUCKET}/demo/${object.key}`,
    '--local',
    '--file',
    path,
    '--content-type',
    object.type,
    '--cache-control',
    object.cacheControl
  )
  writeFileSync(stamp, digest)
}
console.log('› demo zone seeded: / and /video.mp4 on localhost')

function wrangler(...args) {
  execFileSync('wrangler', [...args, '--persist-to', STATE_DIR], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

function seedSql() {
  const q = (v) => `'${String(v).replaceAll("'", "''")}'`
  return [
    `INSERT OR REPLACE INTO zones (name, hosts) VALUES (${q(zone.name)}, ${q(JSON.stringify(zone.hosts))})`,
    // The demo origin reads ORIGIN_BUCKET: the zone is granted that bucket (origin/dependencies.ts).
    `INSERT OR REPLACE INTO grants (zone, kind, name) VALUES (${q(zone.name)}, 'bucket', ${q(origin.spec.binding)})`,
    `INSERT OR REPLACE INTO origins (zone, name, spec) VALUES (${q(zone.name)}, ${q(origin.name)}, ${q(JSON.stringify(origin.spec))})`,
    `INSERT OR REPLACE INTO routes (zone, name, spec) VALUES (${q(zone.name)}, ${q(route.name)}, ${q(JSON.stringify(route.spec))})`,
  ].join('; ')
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function indexHtml() {
  return Buffer.from(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>edge-cdn demo</title><link rel="stylesheet" href="/style.css"></head>
<body>
  <h1><img src="/logo.png" alt="" width="64" height="64"> edge-cdn</h1>
  <p>This page came through the edge: L1 (this PoP's cache) → the regional tier → R2.
     Look at the <code>Cache-Status</code> and <code>Server-Timing</code> response headers.</p>
  <p><a href="/video.mp4">/video.mp4</a> is a ${Math.round(VIDEO_BYTES / 2 ** 20)} MiB object for streaming and Range requests.</p>
</body>
</html>
`)
}

/** A 64×64 RGB PNG with a diagonal gradient, encoded by hand (zlib + CRC32 from node:zlib). */
function logoPng() {
  const size = 64
  const raw = Buffer.alloc((size * 3 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const o = y * (size * 3 + 1) + 1 + x * 3
      raw[o] = 240 - x * 2
      raw[o + 1] = 96 + y * 2
      raw[o + 2] = 32 + (x + y)
    }
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * A large MP4-shaped object (an `ftyp` box, then an `mdat` box of deterministic pseudo-random
 * bytes), written in 1 MiB steps. It is a payload for streaming and Range tests, not a playable
 * video: encoding real frames would need a codec this machine does not have offline.
 */
function videoFile(path) {
  if (existsSync(path) && statSync(path).size === VIDEO_BYTES) return
  const fd = openSync(path, 'w')
  const ftyp = Buffer.from([
    0,
    0,
    0,
    24,
    ...Buffer.from('ftypisom'),
    0,
    0,
    2,
    0,
    ...Buffer.from('isomiso2'),
  ])
  const mdatHeader = Buffer.alloc(8)
  mdatHeader.writeUInt32BE(VIDEO_BYTES - ftyp.length)
  mdatHeader.write('mdat', 4, 'ascii')
  writeSync(fd, ftyp)
  writeSync(fd, mdatHeader)
  let left = VIDEO_BYTES - ftyp.length - mdatHeader.length
  let state = 0x9e3779b9
  const block = Buffer.alloc(1024 * 1024)
  while (left > 0) {
    for (let i = 0; i < block.length; i += 4) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      block.writeInt32LE(state | 0, i)
    }
    const n = Math.min(left, block.length)
    writeSync(fd, block, 0, n)
    left -= n
  }
  closeSync(fd)
}
