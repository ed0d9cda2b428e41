/**
 * @module test/support/encoded-client
 * A client that sees the bytes on the wire: node:http sends exactly the Accept-Encoding given
 * (or none) and decodes nothing, so a test can check that `Content-Encoding` names what the
 * bytes are, and that no transfer ended early.
 */
import { request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'

export interface WireResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The bytes as sent, still content-coded. */
  body: Buffer
  /** Set when the connection ended before the message was complete (curl's error 18). */
  transferError?: string
}

/**
 * @param url the full URL
 * @param headers request fields; no Accept-Encoding is added
 */
export function wireRequest(
  url: string,
  headers: Record<string, string>,
  method = 'GET'
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = []
      const done = (transferError?: string) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          transferError,
        })
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => done(res.complete ? undefined : 'message ended early'))
      res.on('aborted', () => done('aborted'))
      res.on('error', (error) => done(String(error)))
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * Undoes the content codings named by `Content-Encoding`, last applied first.
 * @throws when a coding is unknown or the bytes are not what it names
 */
export function decodeContent(body: Buffer, contentEncoding: string | undefined): Buffer {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
  let out = body
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') out = gunzipSync(out)
    else if (coding === 'br') out = brotliDecompressSync(out)
    else if (coding === 'deflate') out = inflateSync(out)
    else throw new Error(`unknown content coding ${coding}`)
  }
  return out
}
