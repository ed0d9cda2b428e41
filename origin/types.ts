/**
 * @module origin/types
 * The one interface every origin adapter implements. Responses are plain `Response`s whose
 * headers are mapped the same way by every adapter: `ETag`, `Last-Modified`, `Content-Type`,
 * `Cache-Control`, `Content-Length`, `Accept-Ranges`, user metadata as `x-amz-meta-*`. A missing
 * object is a 404 value; transport failures throw `OriginError`. An adapter over storage with
 * archival classes (S3) also implements `restore`.
 */

export interface OriginRequest {
  method: string
  /** The request path below the route, still percent-encoded as the client sent it. */
  path: string
  /** The query string including its `?`, or ''. */
  search: string
  /** End-to-end request headers; hop-by-hop fields are already removed. */
  headers: Headers
  body?: ReadableStream | null
  /** The host the client asked for (from the URL, part of the cache key, not a header). */
  clientHost?: string
}

/** S3 restore tiers, fastest (and dearest) first. */
export type RestoreTier = 'Expedited' | 'Standard' | 'Bulk'

export interface RestoreOptions {
  /** How long the restored copy stays readable. */
  days: number
  tier: RestoreTier
}

/**
 * - `started`: a restore began now;
 * - `in-progress`: one was already running (started by anyone);
 * - `restored`: the object is readable already.
 */
export type RestoreState = 'started' | 'in-progress' | 'restored'

export interface Origin {
  fetch(request: OriginRequest): Promise<Response>
  /**
   * Asks the store to restore an archived object (the one `request` names) so that it can be
   * read. Only stores with archival storage classes implement it.
   * @throws OriginError when the store could not be asked or refused
   */
  restore?(request: OriginRequest, options: RestoreOptions): Promise<RestoreState>
}
