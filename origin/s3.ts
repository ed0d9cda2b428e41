/**
 * @module origin/s3
 * Origin adapter over any S3-compatible bucket (AWS S3, R2's S3 API, MinIO, moto) through
 * `@aws-sdk/client-s3`. Range and conditional request headers become GetObject/HeadObject
 * parameters; the body streams from S3 untouched (never buffered). Headers are mapped as every
 * adapter maps them (see origin/types.ts). A missing object is a 404 value, an unsatisfiable
 * range a 416 with `Content-Range: bytes *\/size`, a failed condition a 304 or 412. An archived
 * object (`InvalidObjectState`) throws `ArchivedObjectError`, and `restore` asks S3 to restore
 * it (`RestoreObject`). Every other failure throws `OriginError`: 'timeout' when S3 sent no
 * response headers within the connect + first-byte timeout, 'network' when S3 was not reached,
 * 'upstream' when S3 answered with an error. The SDK's own retries are off (`maxAttempts: 1`):
 * origin/resilient.ts is the one place that retries, and only what is safe to.
 */
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  RestoreObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { OriginError } from './errors'
import { objectKey } from './object-key'
import { type Call, errorName, httpStatus, type Location, s3Failure } from './s3-failure'
import type { Origin, OriginRequest, RestoreOptions, RestoreState } from './types'

// edge-cache/tier still imports it from here; its new home is origin/errors.ts.

export interface S3OriginOptions {
  /** A client from `s3Client()` (or any `S3Client` with the checksum settings it uses). */
  client: S3Client
  bucket: string
  /** Key prefix under which the route's objects live, e.g. `assets/`. */
  prefix?: string
  /** Connect + first byte (response headers), in milliseconds; unbounded when omitted. */
  timeoutMs?: number
}

export interface S3ClientConfig {
  /** A custom endpoint (R2, MinIO, moto); omit for AWS. */
  endpoint?: string
  region: string
  /** Path-style addressing; defaults to `true` when `endpoint` is set, `false` for AWS. */
  forcePathStyle?: boolean
  accessKeyId: string
  secretAccessKey: string
}

/**
 * Builds the S3 client an `s3Origin` uses. Checksums are computed and validated only where S3
 * requires them: some S3-compatible servers reject the SDK's default checksummed requests, and
 * validating a streamed body would hold it to the end.
 * The SDK does not retry (`maxAttempts: 1`): retries belong to origin/resilient.ts, which
 * repeats only idempotent requests that failed before any response.
 * @param config endpoint, region and keys; the keys are never logged
 * @returns a client
 */
export function s3Client(config: S3ClientConfig): S3Client {
  return new S3Client({
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    region: config.region,
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    // An object stored with Content-Encoding arrives as stored: workerd's fetch would decode it
    // but keep the encoded ContentLength. Only fetch's own init carries this option, not a
    // Request's. Node's handler ignores `customFetch` and never decodes.
    requestHandler: {
      customFetch: (request: Request) => fetch(request, { encodeResponseBody: 'manual' }),
    },
  })
}

/**
 * @param options the client, the bucket and the route's key prefix
 * @returns an `Origin` answering GET and HEAD from the bucket
 * @throws InvalidObjectPathError (from `fetch`) when the path cannot name an object
 */
export function s3Origin(options: S3OriginOptions): Origin {
  const { bucket } = options
  return {
    async fetch(request: OriginRequest): Promise<Response> {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } })
      }
      const key = objectKey(request.path, options.prefix)
      const location = { bucket, key }
      const { call, deadline } = timed(options)
      try {
        return request.method === 'HEAD'
          ? await head(call, location, request.headers)
          : await get(call, location, request.headers)
      } catch (cause) {
        if (deadline.expired()) {
          const what = `S3 ${request.method} s3://${bucket}/${key}`
          throw new OriginError('timeout', `${what}: no response within ${options.timeoutMs} ms`, {
            cause,
          })
        }
        return s3Failure(cause, call, location, request.method)
      } finally {
        deadline.clear()
      }
    },

    async restore(request: OriginRequest, restoreOptions: RestoreOptions): Promise<RestoreState> {
      const key = objectKey(request.path, options.prefix)
      const { call, deadline } = timed(options)
      const what = `S3 RestoreObject s3://${bucket}/${key}`
      try {
        const output = await call.client.send(
          new RestoreObjectCommand({
            Bucket: bucket,
            Key: key,
            RestoreRequest: {
              Days: restoreOptions.days,
              GlacierJobParameters: { Tier: restoreOptions.tier },
            },
          }),
          call.options
        )
        // 202 Accepted: restore started; 200 OK: a restored copy is already readable.
        return output.$metadata.httpStatusCode === 200 ? 'restored' : 'started'
      } catch (cause) {
        if (deadline.expired()) {
          throw new OriginError('timeout', `${what}: no response within ${options.timeoutMs} ms`, {
            cause,
          })
        }
        const status = httpStatus(cause)
        if (errorName(cause) === 'RestoreAlreadyInProgress') return 'in-progress'
        if (status === undefined) {
          throw new OriginError('network', `${what}: S3 endpoint unreachable`, { cause })
        }
        throw new OriginError(
          'upstream',
          `${what} failed: ${errorName(cause) ?? 'error'} (HTTP ${status})`,
          { cause, status }
        )
      } finally {
        deadline.clear()
      }
    },
  }
}

/**
 * A connect + first-byte deadline for one request, cleared once the response headers are in:
 * the body then streams for as long as it takes.
 */
function timed(options: S3OriginOptions): {
  call: Call
  deadline: { expired(): boolean; clear(): void }
} {
  const { client, timeoutMs } = options
  if (timeoutMs === undefined) {
    return { call: { client, options: {} }, deadline: { expired: () => false, clear: () => {} } }
  }
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs)
  return {
    call: { client, options: { abortSignal: controller.signal } },
    deadline: { expired: () => controller.signal.aborted, clear: () => clearTimeout(timer) },
  }
}

async function head(call: Call, location: Location, headers: Headers): Promise<Response> {
  // RFC 9110 §14.2: Range is defined for GET only, so a HEAD ignores it.
  const output = await call.client.send(
    new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ...conditions(headers) }),
    call.options
  )
  return new Response(null, { status: 200, headers: objectHeaders(output) })
}

async function get(call: Call, location: Location, headers: Headers): Promise<Response> {
  const input: GetObjectCommandInput = {
    Bucket: location.bucket,
    Key: location.key,
    ...conditions(headers),
  }
  const range = headers.get('range')
  let output = await call.client.send(
    new GetObjectCommand({ ...input, Range: range ?? undefined }),
    call.options
  )
  // S3 has no If-Range: when the representation changed since the client's partial copy, a
  // range of it would splice two versions, so send the whole object instead (RFC 9110 §13.1.5).
  const ifRange = headers.get('if-range')
  if (output.ContentRange && ifRange !== null && !ifRangeHolds(ifRange, output)) {
    await output.Body?.transformToWebStream().cancel()
    output = await call.client.send(new GetObjectCommand(input), call.options)
  }
  const responseHeaders = objectHeaders(output)
  const body = output.Body?.transformToWebStream() ?? null
  if (output.ContentRange) {
    responseHeaders.set('content-range', output.ContentRange)
    return new Response(body, { status: 206, headers: responseHeaders })
  }
  return new Response(body, { status: 200, headers: responseHeaders })
}

/**
 * The request's preconditions as S3 parameters, minus those RFC 9110 §13.2.2 says to ignore:
 * If-Unmodified-Since when If-Match is present, If-Modified-Since when If-None-Match is.
 */
function conditions(headers: Headers): Partial<GetObjectCommandInput> {
  const ifMatch = headers.get('if-match')
  const ifNoneMatch = headers.get('if-none-match')
  const ifUnmodifiedSince = httpDate(headers.get('if-unmodified-since'))
  const ifModifiedSince = httpDate(headers.get('if-modified-since'))
  return {
    ...(ifMatch !== null
      ? { IfMatch: ifMatch }
      : ifUnmodifiedSince
        ? { IfUnmodifiedSince: ifUnmodifiedSince }
        : {}),
    ...(ifNoneMatch !== null
      ? { IfNoneMatch: ifNoneMatch }
      : ifModifiedSince
        ? { IfModifiedSince: ifModifiedSince }
        : {}),
  }
}

function httpDate(value: string | null): Date | undefined {
  if (value === null) return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : new Date(time)
}

/** RFC 9110 §13.1.5: a strong ETag match, or a Last-Modified equal to the given date. */
function ifRangeHolds(ifRange: string, output: GetObjectCommandOutput): boolean {
  const value = ifRange.trim()
  if (value.startsWith('"')) return output.ETag !== undefined && value === output.ETag
  if (value.startsWith('W/')) return false
  const date = Date.parse(value)
  return (
    !Number.isNaN(date) &&
    output.LastModified !== undefined &&
    Math.floor(output.LastModified.getTime() / 1000) === Math.floor(date / 1000)
  )
}

type ObjectMetadata = Pick<
  HeadObjectCommandOutput & GetObjectCommandOutput,
  | 'ETag'
  | 'LastModified'
  | 'ContentLength'
  | 'ContentType'
  | 'CacheControl'
  | 'ContentDisposition'
  | 'ContentEncoding'
  | 'ContentLanguage'
  | 'ExpiresString'
  | 'Metadata'
>

/** The header mapping every adapter shares (origin/r2.ts `objectHeaders`). */
function objectHeaders(object: ObjectMetadata): Headers {
  const headers = new Headers()
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers.set(name, value)
  }
  set('content-type', object.ContentType)
  set('content-language', object.ContentLanguage)
  set('content-disposition', object.ContentDisposition)
  set('content-encoding', object.ContentEncoding)
  set('cache-control', object.CacheControl)
  set('expires', object.ExpiresString)
  set('etag', object.ETag)
  set('last-modified', object.LastModified?.toUTCString())
  set('content-length', object.ContentLength?.toString())
  headers.set('accept-ranges', 'bytes')
  for (const [name, value] of Object.entries(object.Metadata ?? {})) {
    headers.set(`x-amz-meta-${name.toLowerCase()}`, value)
  }
  return headers
}
