/**
 * @module origin/types
 * The one interface every origin adapter implements. Responses are plain `Response`s whose
 * headers are mapped the same way by every adapter: `ETag`, `Last-Modified`, `Content-Type`,
 * `Cache-Control`, `Content-Length`, `Accept-Ranges`, user metadata as `x-amz-meta-*`. A missing
 * object is a 404 value; transport failures throw `OriginError`.
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
}

export interface Origin {
  fetch(request: OriginRequest): Promise<Response>
}
