/**
 * @module origin/r2
 * Origin adapter over an R2 bucket binding. Range and conditional request headers are handed to
 * R2 as they are (`range` and `onlyIf` accept `Headers`); the body streams from R2 untouched.
 */
import { discard } from '../edge-cache/discard'
import { unsatisfiedContentRange } from '../edge-cache/policy/range'
import { OriginError } from './errors'
import { objectKey } from './object-key'
import type { Origin, OriginRequest } from './types'

export interface R2OriginOptions {
  prefix?: string
}

/**
 * @param bucket the R2 bucket binding
 * @param options key prefix under which the route's objects live
 * @returns an `Origin` answering GET and HEAD from the bucket
 */
export function r2Origin(bucket: R2Bucket, options: R2OriginOptions = {}): Origin {
  return {
    async fetch(request: OriginRequest): Promise<Response> {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } })
      }
      const key = objectKey(request.path, options.prefix)
      try {
        return request.method === 'HEAD'
          ? await head(bucket, key, request.headers)
          : await get(bucket, key, request.headers)
      } catch (cause) {
        throw new OriginError('upstream', `R2 ${request.method} failed`, { cause })
      }
    },
  }
}

async function head(bucket: R2Bucket, key: string, headers: Headers): Promise<Response> {
  const object = await bucket.head(key)
  if (!object) return notFound()
  const failed = failedPrecondition(object, headers)
  if (failed) return new Response(null, { status: failed, headers: objectHeaders(object) })
  return new Response(null, { status: 200, headers: objectHeaders(object) })
}

async function get(bucket: R2Bucket, key: string, headers: Headers): Promise<Response> {
  let object: R2Object | R2ObjectBody | null
  try {
    // Only hand R2 a range when the client asked for one: R2 reports a range on every answer
    // it was given one for, even a whole-object one.
    object = await bucket.get(key, {
      onlyIf: headers,
      ...(headers.has('range') ? { range: headers } : {}),
    })
  } catch (cause) {
    // R2 rejects an unsatisfiable range; answer 416 with the size, as RFC 9110 §15.5.17 asks.
    if (isRangeError(cause)) return unsatisfiable(await bucket.head(key))
    throw cause
  }
  if (!object) return notFound()
  const responseHeaders = objectHeaders(object)
  if (!('body' in object)) {
    return new Response(null, {
      status: failedPrecondition(object, headers) ?? 304,
      headers: responseHeaders,
    })
  }
  const range = servedRange(object)
  if (!range && startsPastEnd(headers.get('range'), object.size)) {
    // Local R2 (Miniflare) ignores an unsatisfiable range instead of rejecting it.
    await discard(object.body)
    return unsatisfiable(object)
  }
  if (!range) return new Response(object.body, { status: 200, headers: responseHeaders })
  responseHeaders.set('content-range', `bytes ${range.start}-${range.end}/${object.size}`)
  responseHeaders.set('content-length', String(range.end - range.start + 1))
  return new Response(object.body, { status: 206, headers: responseHeaders })
}

/** The header mapping every adapter shares. */
function objectHeaders(object: R2Object): Headers {
  const headers = new Headers()
  object.writeHttpMetadata(headers)
  headers.set('etag', object.httpEtag)
  headers.set('last-modified', object.uploaded.toUTCString())
  headers.set('content-length', String(object.size))
  headers.set('accept-ranges', 'bytes')
  for (const [name, value] of Object.entries(object.customMetadata ?? {})) {
    headers.set(`x-amz-meta-${name.toLowerCase()}`, value)
  }
  return headers
}

/** R2 withholds the body for any failed condition; tell 412 (If-Match family) from 304. */
function failedPrecondition(object: R2Object, headers: Headers): 412 | undefined {
  const ifMatch = headers.get('if-match')
  if (ifMatch !== null) {
    const tags = ifMatch.split(',').map((t) => t.trim())
    if (!tags.includes('*') && !tags.includes(object.httpEtag)) return 412
  }
  const ifUnmodifiedSince = Date.parse(headers.get('if-unmodified-since') ?? '')
  if (ifMatch === null && !Number.isNaN(ifUnmodifiedSince)) {
    if (Math.floor(object.uploaded.getTime() / 1000) > Math.floor(ifUnmodifiedSince / 1000)) {
      return 412
    }
  }
  return undefined
}

function servedRange(object: R2ObjectBody): { start: number; end: number } | undefined {
  const range = object.range
  if (!range) return undefined
  let start: number
  let length: number
  if ('suffix' in range && typeof range.suffix === 'number') {
    length = Math.min(range.suffix, object.size)
    start = object.size - length
  } else if ('offset' in range || 'length' in range) {
    start = range.offset ?? 0
    length = range.length ?? object.size - start
  } else {
    return undefined
  }
  if (start === 0 && length >= object.size) return undefined
  return { start, end: start + length - 1 }
}

/** RFC 9110 §14.1.2: a range whose first position is at or past the end is unsatisfiable. */
function startsPastEnd(range: string | null, size: number): boolean {
  const first = /^bytes=(\d+)-\d*$/.exec(range?.trim() ?? '')?.[1]
  return first !== undefined && Number(first) >= size
}

function isRangeError(error: unknown): boolean {
  return error instanceof Error && /range/i.test(error.message)
}

function unsatisfiable(object: R2Object | null): Response {
  if (!object) return notFound()
  return new Response(null, {
    status: 416,
    headers: { 'content-range': unsatisfiedContentRange(object.size) },
  })
}

function notFound(): Response {
  return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } })
}

/**
 * @param bindings the Worker's env
 * @param name a binding name
 * @returns the R2 bucket bound under `name`, or undefined when nothing (or something else) is
 */
export function r2Binding(bindings: object, name: string): R2Bucket | undefined {
  const candidate: unknown = Reflect.get(bindings, name)
  return isR2Bucket(candidate) ? candidate : undefined
}

/** Whether a binding is an R2 bucket (what the adapters and the tier call on one). */
export function isR2Bucket(value: unknown): value is R2Bucket {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['get', 'head', 'put', 'list', 'delete'].every(
      (method) => typeof Reflect.get(value, method) === 'function'
    )
  )
}
