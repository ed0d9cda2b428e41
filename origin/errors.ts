/**
 * @module origin/errors
 * Transport failures talking to an origin. A 404 or a 5xx is a response, not an error.
 */

/**
 * - `network`: the origin was not reached (refused, reset, DNS) before any response;
 * - `timeout`: no response within the connect + first-byte timeout;
 * - `upstream`: the origin answered with an error the adapter cannot express as a response;
 * - `circuit-open`: not attempted, the origin's circuit breaker is open (`CircuitOpenError`).
 */
export type OriginErrorKind = 'network' | 'timeout' | 'upstream' | 'circuit-open'

export class OriginError extends Error {
  override readonly name: string = 'OriginError'
  readonly kind: OriginErrorKind
  /** The HTTP status the origin answered with, when it answered (kind 'upstream'). */
  readonly status: number | undefined

  constructor(
    kind: OriginErrorKind,
    message: string,
    options?: { cause?: unknown; status?: number }
  ) {
    super(message, options)
    this.kind = kind
    this.status = options?.status
  }
}

/**
 * The origin was not asked: its circuit breaker is open after consecutive failures.
 * @see origin/circuit-breaker.ts
 */
export class CircuitOpenError extends OriginError {
  override readonly name = 'CircuitOpenError'
  /** When a retry may find the breaker half-open, in whole seconds (at least 1). */
  readonly retryAfterSeconds: number

  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('circuit-open', message, options)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Raised when a request path cannot name an object (bad encoding, `..` escape). */
export class InvalidObjectPathError extends Error {
  override readonly name = 'InvalidObjectPathError'
}

/**
 * Content resident in a region was asked of an origin that has regional buckets but none for
 * that region. It is never served from another region's bucket (nor the default one).
 * @see origin/select.ts
 */
export class NoRegionalBucketError extends Error {
  override readonly name = 'NoRegionalBucketError'
  readonly region: string

  constructor(region: string, options?: { cause?: unknown }) {
    super(`the origin has no bucket for region ${region}`, options)
    this.region = region
  }
}

/**
 * An origin record names a secret or bucket its zone was not granted (or one the platform keeps
 * for itself). Nothing is resolved or sent: the request fails before any origin is asked.
 * @see origin/dependencies.ts
 */
export class NotGrantedError extends Error {
  override readonly name = 'NotGrantedError'
  readonly kind: 'secret' | 'bucket' | 'certificate'
  readonly binding: string

  constructor(kind: 'secret' | 'bucket' | 'certificate', binding: string) {
    super(`the zone was not granted the ${kind} ${binding}`)
    this.kind = kind
    this.binding = binding
  }
}

/**
 * An object is in an archive storage class (GLACIER, DEEP_ARCHIVE, an Intelligent-Tiering
 * archive tier) and must be restored before it can be read. S3 answered 403 InvalidObjectState.
 */
export class ArchivedObjectError extends OriginError {
  override readonly name = 'ArchivedObjectError'
  /** The storage class S3 reported, e.g. `GLACIER`; `UNKNOWN` if it sent none. */
  readonly storageClass: string
  /** The Intelligent-Tiering access tier, when S3 reported one. */
  readonly accessTier: string | undefined
  readonly bucket: string
  readonly key: string

  constructor(
    location: { bucket: string; key: string },
    archive: { storageClass?: string; accessTier?: string },
    options?: { cause?: unknown }
  ) {
    const storageClass = archive.storageClass ?? 'UNKNOWN'
    super(
      'upstream',
      `S3 object s3://${location.bucket}/${location.key} is archived (${storageClass}) and must be restored`,
      { ...options, status: 403 }
    )
    this.storageClass = storageClass
    this.accessTier = archive.accessTier
    this.bucket = location.bucket
    this.key = location.key
  }
}
