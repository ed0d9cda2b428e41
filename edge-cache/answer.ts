/**
 * @module answer
 * Turns a full response that a cache holds (or just received) into the answer for this client:
 * its conditionals (304 / 412), its Range (206 / 416; several ranges get the whole 200), HEAD,
 * and removal of every field that is ours alone.
 *
 * A content-coded representation (gzip, br) is answered whole, Range or not (RFC 9110 §14.2:
 * a server MAY ignore Range). A range of it would be a range of its encoded bytes (§14.1.1),
 * and the front line in front of the Worker (Cloudflare's, and wrangler dev's) decodes and
 * re-encodes compressed answers for each client: a slice of a gzip stream cannot be decoded,
 * so the client would get a broken transfer instead of its bytes.
 */

import { codedHeaders, decodedIfRefused, toClient, varyByCoding, wireCoding } from './coding'
import { discard } from './discard'
import { ENTRY_META_HEADER } from './entry'
import {
  contentCoding,
  contentLength,
  contentRange,
  decideRange,
  evaluateConditional,
  notModifiedHeaders,
  TAG_FIELDS,
  unsatisfiedContentRange,
} from './policy'
import { sliceStream } from './stream-slice'

/**
 * Fields that never reach a client: platform-internal metadata, our targeted field, and
 * Surrogate-Control, which is for surrogates and this platform is the last one before the
 * client (Edge Architecture: the surrogate removes what was meant for it).
 */
const INTERNAL_FIELDS = [
  ENTRY_META_HEADER,
  'edge-cache-control',
  'surrogate-control',
  ...TAG_FIELDS,
]

export interface FullResponse {
  status: number
  headers: Headers
  body: ReadableStream<Uint8Array> | null
  /** Body length when known. A Cache API match does not expose `Content-Length` to code. */
  size?: number
}

/**
 * @param stored a complete (non-partial) response, in the coding a cache holds it
 * @param method the client's method
 * @param requestHeaders the client's request headers, Accept-Encoding normalised
 * @param compress whether the route compresses identity text answers (coding.ts)
 * @returns the response to send
 */
export function answerClient(
  stored: FullResponse,
  method: string,
  requestHeaders: Headers,
  compress = false
): Response {
  const full = decodedIfRefused(stored, requestHeaders)
  const headers = clientHeaders(full.headers)
  varyByCoding(stored.headers, full.status, headers, compress)
  const coding = wireCoding(compress, requestHeaders, full.status, headers)
  if (full.status === 200) {
    // Validators are compared with, and a 304 repeats, what the 200 would carry: a body the
    // edge compresses has a weak ETag (RFC 9110 §8.8.1, §15.4.5).
    const whole = codedHeaders(headers, coding)
    const conditional = evaluateConditional(method, requestHeaders, whole, full.status)
    if (conditional === 'not-modified') {
      void discard(full.body)
      const notModified = notModifiedHeaders(whole)
      copyDiagnostics(headers, notModified)
      return new Response(null, { status: 304, headers: notModified })
    }
    if (conditional === 'precondition-failed') {
      void discard(full.body)
      return new Response(null, { status: 412, headers: diagnosticsOnly(headers) })
    }
    const size = full.size ?? contentLength(headers)
    if (size !== undefined && full.body && contentCoding(headers) === undefined) {
      const range = decideRange(method, requestHeaders, size, headers)
      if (range.kind === 'unsatisfiable') {
        void discard(full.body)
        const unsatisfiable = diagnosticsOnly(headers)
        unsatisfiable.set('content-range', unsatisfiedContentRange(size))
        return new Response(null, { status: 416, headers: unsatisfiable })
      }
      if (range.kind === 'partial') {
        headers.set('content-range', contentRange(range.start, range.end, size))
        headers.set('content-length', String(range.end - range.start + 1))
        const length = range.end - range.start + 1
        const body =
          method === 'HEAD'
            ? null
            : withLength(sliceStream(full.body, range.start, range.end), length)
        if (!body) void discard(full.body)
        return toClient(body, 206, headers, undefined)
      }
    }
  }
  if (method === 'HEAD') {
    void discard(full.body)
    return toClient(null, full.status, headers, coding)
  }
  const body = full.body && full.size !== undefined ? withLength(full.body, full.size) : full.body
  return toClient(body, full.status, headers, coding)
}

/**
 * Sends `Content-Length` for a streamed body of known size: workerd writes a plain stream with
 * chunked encoding, and a FixedLengthStream also turns a short body into an error rather than a
 * response that looks complete.
 */
function withLength(body: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  if (!Number.isSafeInteger(length) || length < 0) return body
  return body.pipeThrough(new FixedLengthStream(length))
}

/** A copy of `headers` without the fields that are ours alone. */
export function clientHeaders(headers: Headers): Headers {
  const out = new Headers(headers)
  for (const name of INTERNAL_FIELDS) out.delete(name)
  return out
}

const DIAGNOSTIC_FIELDS = ['cache-status', 'server-timing', 'age']

function copyDiagnostics(from: Headers, to: Headers): void {
  for (const name of DIAGNOSTIC_FIELDS) {
    const value = from.get(name)
    if (value !== null) to.set(name, value)
  }
}

function diagnosticsOnly(from: Headers): Headers {
  const out = new Headers()
  copyDiagnostics(from, out)
  return out
}
