/**
 * The origin contract for the HTTP adapter, against a real static file server on loopback: files
 * on disk, ETag and Last-Modified from the file, single byte ranges (incl. suffix), 416, and the
 * RFC 9110 §13.2.2 preconditions. The adapter forwards requests as they are, so this checks that
 * a well-behaved origin's semantics survive it. The contract differs in one place: the adapter is
 * not key-based, so dot segments are resolved by the URL parser instead of refused.
 */
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { afterAll } from 'vitest'
import { httpOrigin } from '../../origin/http'
import { describeOriginContract, type PutOptions } from './origin.suite'

interface StaticServer {
  url: string
  put(key: string, body: string | Uint8Array, opts?: PutOptions): Promise<void>
  close(): Promise<void>
}

let server: StaticServer | undefined
afterAll(() => server?.close())

describeOriginContract('http', async () => {
  server = await startStaticServer()
  return {
    origin: httpOrigin({ url: `${server.url}/site`, timeoutMs: 5000 }),
    put: server.put,
    capabilities: { keyBased: false },
  }
})

/** Serves `<root>/files/<key>` at `/site/<key>`; per-file headers live in `<root>/meta`. */
async function startStaticServer(): Promise<StaticServer> {
  const root = await mkdtemp(join(tmpdir(), 'http-origin-'))
  const files = join(root, 'files')
  const meta = (key: string) => join(root, 'meta', `${encodeURIComponent(key)}.json`)
  await mkdir(join(root, 'meta'), { recursive: true })

  const http = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') return end(res, 405, { allow: 'GET, HEAD' })
    const pathname = new URL(req.url ?? '/', 'http://origin').pathname
    if (!pathname.startsWith('/site/')) return end(res, 404)
    let key: string
    try {
      key = decodeURIComponent(pathname.slice('/site/'.length))
    } catch {
      return end(res, 400)
    }
    const file = join(files, key)
    if (relative(files, file).split(sep).includes('..')) return end(res, 400)
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return end(res, 404, { 'content-type': 'text/plain' }, 'Not Found')

    const extra = JSON.parse(await readFile(meta(key), 'utf8').catch(() => '{}')) as PutOptions
    const modified = Math.floor(info.mtimeMs / 1000) * 1000
    const etag = `"${info.size.toString(16)}-${info.mtimeMs.toString(16).replace('.', '')}"`
    const headers: Record<string, string> = {
      etag,
      'last-modified': new Date(modified).toUTCString(),
      'accept-ranges': 'bytes',
      'content-type': extra.contentType ?? 'application/octet-stream',
      ...(extra.cacheControl ? { 'cache-control': extra.cacheControl } : {}),
    }
    for (const [name, value] of Object.entries(extra.metadata ?? {})) {
      headers[`x-amz-meta-${name.toLowerCase()}`] = value
    }

    const precondition = evaluate(req, method, etag, modified)
    if (precondition === 412) return end(res, 412)
    if (precondition === 304) {
      const { 'content-type': _, ...validators } = headers
      return end(res, 304, validators)
    }

    const range = method === 'GET' ? requestedRange(req, info.size, etag, modified) : undefined
    if (range === 'unsatisfiable') return end(res, 416, { 'content-range': `bytes */${info.size}` })
    if (range) {
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${range.start}-${range.end}/${info.size}`,
        'content-length': String(range.end - range.start + 1),
      })
      createReadStream(file, range).pipe(res)
      return
    }
    res.writeHead(200, { ...headers, 'content-length': String(info.size) })
    if (method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async put(key, body, opts = {}) {
      const file = join(files, key)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, body)
      await writeFile(meta(key), JSON.stringify(opts))
    },
    async close() {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await rm(root, { recursive: true, force: true })
    },
  }
}

/** RFC 9110 §13.2.2: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since. */
function evaluate(
  req: IncomingMessage,
  method: string,
  etag: string,
  modified: number
): 304 | 412 | undefined {
  const ifMatch = req.headers['if-match']
  const ifUnmodifiedSince = Date.parse(req.headers['if-unmodified-since'] ?? '')
  if (ifMatch !== undefined) {
    if (!tags(ifMatch).some((tag) => tag === '*' || tag === etag)) return 412
  } else if (!Number.isNaN(ifUnmodifiedSince) && modified > ifUnmodifiedSince) {
    return 412
  }
  const ifNoneMatch = req.headers['if-none-match']
  const ifModifiedSince = Date.parse(req.headers['if-modified-since'] ?? '')
  if (ifNoneMatch !== undefined) {
    const weak = (tag: string) => tag.replace(/^W\//, '')
    if (tags(ifNoneMatch).some((tag) => tag === '*' || weak(tag) === weak(etag))) {
      return method === 'GET' || method === 'HEAD' ? 304 : 412
    }
  } else if (!Number.isNaN(ifModifiedSince) && modified <= ifModifiedSince) {
    return 304
  }
  return undefined
}

/** One byte range (RFC 9110 §14.1.2), honouring If-Range; several ranges are served whole. */
function requestedRange(
  req: IncomingMessage,
  size: number,
  etag: string,
  modified: number
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const ifRange = req.headers['if-range']?.toString()
  if (ifRange !== undefined && ifRange !== etag && Date.parse(ifRange) !== modified) {
    return undefined
  }
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size) return 'unsatisfiable'
  if (end < start) return undefined
  return { start, end }
}

function tags(field: string): string[] {
  return field.split(',').map((tag) => tag.trim())
}

function end(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
  body?: string
): void {
  res.writeHead(status, headers)
  res.end(body)
}
