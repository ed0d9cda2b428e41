/**
 * @module origin/s3-failure
 * What an S3 error means for the client: the SDK throws for every non-2xx answer, but a 304, a
 * 412, a missing object (404) and an unsatisfiable range (416) are responses, not failures. An
 * archived object throws `ArchivedObjectError`; an unreached endpoint or any other error throws
 * `OriginError` (see origin/s3.ts).
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { unsatisfiedContentRange } from '../edge-cache/policy/range'
import { ArchivedObjectError, OriginError } from './errors'

/** The client and the abort signal every command of one request is sent with. */
export interface Call {
  client: S3Client
  /** Aborts at the connect + first-byte deadline (the SDK's `abortSignal` option). */
  options: { abortSignal?: AbortSignal }
}

export interface Location {
  bucket: string
  key: string
}

/** Validators and caching headers of a 304, taken from S3's raw answer (the SDK parses none). */
const NOT_MODIFIED_HEADERS = ['etag', 'last-modified', 'cache-control', 'expires', 'content-type']

/** Turns what the SDK threw into the response it stands for, or the error to throw. */
export async function s3Failure(
  cause: unknown,
  call: Call,
  location: Location,
  method: string
): Promise<Response> {
  const status = httpStatus(cause)
  const name = errorName(cause)
  if (status === undefined) {
    const what = `S3 ${method} s3://${location.bucket}/${location.key}`
    // The Node handler names a reset connection TimeoutError too (so that it is retried).
    const reset = ['ECONNRESET', 'EPIPE'].includes(stringField(cause, 'code') ?? '')
    if (name === 'TimeoutError' && !reset) {
      throw new OriginError('timeout', `${what} timed out`, { cause })
    }
    throw new OriginError('network', `${what}: S3 endpoint unreachable`, { cause })
  }
  if (status === 304) {
    const headers = new Headers()
    const raw = rawHeaders(cause)
    for (const [field, value] of Object.entries(raw)) {
      const lower = field.toLowerCase()
      if (NOT_MODIFIED_HEADERS.includes(lower) || lower.startsWith('x-amz-meta-')) {
        headers.set(lower, value)
      }
    }
    return new Response(null, { status: 304, headers })
  }
  if (status === 412) return new Response(null, { status: 412 })
  // NoSuchBucket is a 404 too, but a misconfiguration rather than a missing object. A HEAD
  // (no body, so no error code) cannot tell the two apart.
  if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) return notFound()
  if (status === 416 || name === 'InvalidRange') {
    return unsatisfiable(await objectSize(cause, call, location))
  }
  if (name === 'InvalidObjectState') {
    throw new ArchivedObjectError(
      location,
      {
        storageClass: stringField(cause, 'StorageClass'),
        accessTier: stringField(cause, 'AccessTier'),
      },
      { cause }
    )
  }
  throw new OriginError(
    'upstream',
    `S3 ${method} s3://${location.bucket}/${location.key} failed: ${name ?? 'error'} (HTTP ${status})`,
    { cause, status }
  )
}

/** The object's size for a 416: S3's InvalidRange error carries it, else ask with a HEAD. */
async function objectSize(
  cause: unknown,
  call: Call,
  location: Location
): Promise<number | undefined> {
  const reported = Number(stringField(cause, 'ActualObjectSize'))
  if (Number.isSafeInteger(reported) && reported >= 0) return reported
  try {
    const output = await call.client.send(
      new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }),
      call.options
    )
    return output.ContentLength
  } catch {
    return undefined
  }
}

export function httpStatus(error: unknown): number | undefined {
  const metadata = field(error, '$metadata')
  const status = field(metadata, 'httpStatusCode')
  return typeof status === 'number' ? status : undefined
}

export function errorName(error: unknown): string | undefined {
  return stringField(error, 'Code') ?? stringField(error, 'name')
}

function rawHeaders(error: unknown): Record<string, string> {
  const headers = field(field(error, '$response'), 'headers')
  const result: Record<string, string> = {}
  if (typeof headers !== 'object' || headers === null) return result
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name] = value
  }
  return result
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined
}

function stringField(value: unknown, name: string): string | undefined {
  const found = field(value, name)
  if (typeof found === 'string') return found
  if (typeof found === 'number') return String(found)
  return undefined
}

function unsatisfiable(size: number | undefined): Response {
  return new Response(null, {
    status: 416,
    headers: size === undefined ? {} : { 'content-range': unsatisfiedContentRange(size) },
  })
}

function notFound(): Response {
  return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } })
}
