/**
 * The origin side of authenticated origin pulls, as README ("What an origin receives") shows
 * it to origin owners: the same lines, typed. Tests check the CDN's signatures with it, so the
 * documented snippet is the one that is tested.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * @param req the request as the origin's Node server received it
 * @param keys key id → secret; both keys while one replaces the other
 * @param header the signature field (lower-case)
 * @param maxSkewSeconds how old (or early) a signature may be
 */
export function verifyEdgeSignature(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  keys: Map<string, string>,
  header = 'edge-signature',
  maxSkewSeconds = 300
): boolean {
  const fields = new Map(
    String(req.headers[header] ?? '')
      .split(',')
      .map((part) => part.trim().split('=') as [string, string])
  )
  const secret = keys.get(fields.get('keyid') ?? '')
  const t = Number(fields.get('t'))
  if (!secret || !(Math.abs(Date.now() / 1000 - t) <= maxSkewSeconds)) return false
  const expected = createHmac('sha256', secret)
    .update(`${req.method}\n${req.headers.host}\n${req.url}\n${fields.get('t')}`)
    .digest()
  const given = Buffer.from(fields.get('sig') ?? '', 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
