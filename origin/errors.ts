/**
 * @module origin/errors
 * Transport failures talking to an origin. A 404 or a 5xx is a response, not an error.
 */

export type OriginErrorKind = 'network' | 'timeout' | 'upstream'

export class OriginError extends Error {
  override readonly name = 'OriginError'
  readonly kind: OriginErrorKind

  constructor(kind: OriginErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}

/** Raised when a request path cannot name an object (bad encoding, `..` escape). */
export class InvalidObjectPathError extends Error {
  override readonly name = 'InvalidObjectPathError'
}
