/**
 * @module coding
 * The edge's content-coding I/O, around the pure decisions of policy/encoding.ts. Every tier
 * holds a representation as the origin sent it (encoded bytes, their Content-Length), so:
 * - a body leaves in `encodeBody: "manual"` mode: workerd would otherwise encode again the bytes
 *   a `Content-Encoding` field names (a gzip of gzip), or send them unlabelled;
 * - a gzip entry reaches a client that does not accept gzip decoded (DecompressionStream), in
 *   full; br cannot be decoded inside workerd and is left to the front line, which decodes it
 *   for such clients (Miniflare locally);
 * - an identity text answer may be compressed on the way out (`encodeBody: "automatic"` with
 *   the coding named): only the wire copy, never what is cached, so every length the caches
 *   keep stays the identity representation's.
 */
import {
  acceptsCoding,
  codingNegotiated,
  contentCoding,
  edgeCompression,
  type KnownCoding,
  normalizeAcceptEncoding,
} from './policy/encoding'
import { addVary } from './policy/vary'

export interface CodedBody {
  status: number
  headers: Headers
  body: ReadableStream<Uint8Array> | null
  size?: number
}

/**
 * The stored representation made acceptable to the client: as is, or gzip decoded.
 * @param full the stored (or just received) response
 * @param requestHeaders the client's fields, Accept-Encoding normalised
 */
export function decodedIfRefused<T extends CodedBody>(full: T, requestHeaders: Headers): T {
  const coding = contentCoding(full.headers)
  const accepted = clientAcceptEncoding(requestHeaders)
  if (coding !== 'gzip' || acceptsCoding(accepted, coding)) return full
  const headers = new Headers(full.headers)
  headers.delete('content-encoding')
  headers.delete('content-length')
  weakenEtag(headers)
  const body = full.body?.pipeThrough(new DecompressionStream('gzip')) ?? null
  return { ...full, headers, body, size: undefined }
}

/**
 * Names Accept-Encoding in Vary when the edge chooses the answer's coding by it (a stored
 * gzip/br body decoded for refusers, identity text compressed for acceptors), whichever coding
 * this client gets: a shared cache downstream must not hand one client's coding to another.
 * @param stored the full response's fields as stored, before any decoding
 * @param headers the answer's fields, changed in place
 */
export function varyByCoding(
  stored: Headers,
  status: number,
  headers: Headers,
  compress: boolean
): void {
  if (codingNegotiated(compress, status, stored)) addVary(headers, 'Accept-Encoding')
}

/**
 * The coding the edge gives this answer on the wire, if any: identity text of a route that
 * compresses, for a client that accepts br or gzip (policy/encoding.ts).
 */
export function wireCoding(
  compress: boolean,
  requestHeaders: Headers,
  status: number,
  headers: Headers
): KnownCoding | undefined {
  return edgeCompression(compress, clientAcceptEncoding(requestHeaders), status, headers)
}

/**
 * The fields of the answer once compressed with `coding` (none: `headers` itself): what a 304
 * must repeat and what its validators are compared with (RFC 9110 §15.4.5).
 */
export function codedHeaders(headers: Headers, coding: KnownCoding | undefined): Headers {
  if (!coding) return headers
  const coded = new Headers(headers)
  compressedFields(coded, coding)
  return coded
}

/**
 * @param coding the answer's {@link wireCoding}
 * @returns a response whose body is sent exactly as given, or compressed by workerd with
 *   `coding` (a HEAD gets the fields the GET would)
 */
export function toClient(
  body: BodyInit | null,
  status: number,
  headers: Headers,
  coding: KnownCoding | undefined
): Response {
  if (!coding) return new Response(body, { status, headers, encodeBody: 'manual' })
  compressedFields(headers, coding)
  return new Response(body, { status, headers, encodeBody: 'automatic' })
}

function compressedFields(headers: Headers, coding: string): void {
  headers.set('content-encoding', coding)
  headers.delete('content-length')
  addVary(headers, 'Accept-Encoding')
  weakenEtag(headers)
}

function clientAcceptEncoding(requestHeaders: Headers): string {
  return normalizeAcceptEncoding(requestHeaders.get('accept-encoding'))
}

/** RFC 9110 §8.8.1: another coding is another representation, so its validator is weak. */
function weakenEtag(headers: Headers): void {
  const etag = headers.get('etag')
  if (etag?.startsWith('"')) headers.set('etag', `W/${etag}`)
}
