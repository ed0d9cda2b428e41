/**
 * @module tier/ranges
 * The client's byte range of a large body, answered by the shard instead of streaming the whole
 * body to the edge to be cut there: from the rows that hold it (while the fill writes them, if
 * it is near), or, while the fill is still far from it, from the origin for this request alone
 * (the fill goes on). {@link planRange} decides; the rest reads and fetches.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.2
 */
import type { Origin } from '../../origin/types'
import type { Clock } from '../clock'
import { discard } from '../discard'
import { originFailureResponse } from '../errors'
import {
  type CacheStatusEntry,
  contentCoding,
  contentLength,
  contentRange,
  decideRange,
  stripHopByHop,
} from '../policy'
import { unsatisfiedContentRange } from '../policy/range'
import { sliceStream } from '../stream-slice'
import type { Bodies, BodyProgress, ByteSpan } from './bodies'
import type { TierRequest } from './protocol'
import { originGet } from './shard-origins'
import { declaredLength } from './stored-entry'
import { servedHeaders, type TierTiming, withStatus } from './tier-response'
import type { TierEntry } from './tier-store'

/**
 * A range this close ahead of the fill waits for it (the fill streams at origin speed); one
 * further ahead is fetched from the origin on its own.
 */
export const RANGE_WAIT_BYTES = 8 * 1024 * 1024

export type RangePlan =
  /** Answer the whole body: small, length unknown, not one range, If-Range not matching. */
  | { kind: 'whole' }
  | { kind: 'unsatisfiable'; size: number }
  /** From the body's rows, as written so far and still to come. */
  | { kind: 'stored'; span: ByteSpan; size: number }
  /** From the origin: the fill is too far from the range. */
  | { kind: 'origin'; span: ByteSpan; size: number }

/**
 * @param wanted the client's range, as the edge passed it on
 * @param entry the entry being answered
 * @param written how far its body's writer has got
 * @param now the current time (ms), for the `Age` an If-Range date is compared with
 */
export function planRange(
  wanted: TierRequest['range'],
  entry: TierEntry,
  written: Pick<BodyProgress, 'done' | 'size'>,
  now: number
): RangePlan {
  const size = written.done ? written.size : declaredLength(entry.headers)
  if (!wanted || size === undefined || size <= wanted.minSize) return { kind: 'whole' }
  // RFC 9110 §14.2: ranges are of a 200's content; other statuses are answered whole.
  if (entry.meta.status !== 200) return { kind: 'whole' }
  const decision = decideRange('GET', rangeFields(wanted), size, servedHeaders(entry, now))
  if (decision.kind === 'unsatisfiable') return { kind: 'unsatisfiable', size }
  if (decision.kind !== 'partial') return { kind: 'whole' }
  const span = { start: decision.start, end: decision.end }
  const far = !written.done && span.start >= written.size + RANGE_WAIT_BYTES
  return { kind: far ? 'origin' : 'stored', span, size }
}

/** The client's Range (and If-Range) as request fields. */
export function rangeFields(wanted: NonNullable<TierRequest['range']>): Headers {
  const headers = new Headers({ range: wanted.value })
  if (wanted.ifRange !== undefined) headers.set('if-range', wanted.ifRange)
  return headers
}

/** What answering a range reads from and fetches with. */
export interface RangeParts {
  bodies: Bodies
  clock: Clock
  originFor(request: TierRequest): Origin
}

/**
 * The client's range of the entry's body, or undefined when the body is answered whole.
 * @param progress how far the body's writer has got
 */
export async function partialAnswer(
  parts: RangeParts,
  request: TierRequest,
  entry: TierEntry,
  progress: BodyProgress,
  status: CacheStatusEntry,
  timing: TierTiming
): Promise<Response | undefined> {
  const plan = planRange(request.range, entry, progress, parts.clock.now())
  switch (plan.kind) {
    case 'whole':
      return undefined
    case 'unsatisfiable': {
      const answer = new Headers({ 'content-range': unsatisfiedContentRange(plan.size) })
      return withStatus(new Response(null, { status: 416, headers: answer }), status, timing)
    }
    case 'origin':
      status.detail = 'range-from-origin'
      return rangeFromOrigin(parts, request, plan.span, plan.size, status, timing)
    case 'stored': {
      const { span, size } = plan
      const headers = servedHeaders(entry, parts.clock.now())
      headers.set('content-range', contentRange(span.start, span.end, size))
      headers.set('content-length', String(span.end - span.start + 1))
      const body = parts.bodies.read(entry.bodyId, progress, span)
      return withStatus(new Response(body, { status: 206, headers }), status, timing)
    }
  }
}

/**
 * The client's range of a response the shard does not store (private, no-store, …), asked of
 * the origin on its own once the whole response's header section has shown its length: its
 * body would otherwise stream through the tier and the edge to be cut there (all of a private
 * video before a seek near its end). Undefined when the response is answered whole: no range,
 * a body L1 could hold, an unknown length, a content coding (answer.ts), If-Range not matching.
 * @param response the origin's whole response, not stored; its body is cancelled when ranged
 */
export async function passedRange(
  parts: Pick<RangeParts, 'clock' | 'originFor'>,
  request: TierRequest,
  response: Response,
  status: CacheStatusEntry,
  timing: TierTiming
): Promise<Response | undefined> {
  const wanted = request.range
  const size = response.status === 200 ? contentLength(response.headers) : undefined
  if (!wanted || size === undefined || size <= wanted.minSize) return undefined
  if (contentCoding(response.headers) !== undefined) return undefined
  const decision = decideRange('GET', rangeFields(wanted), size, response.headers)
  if (decision.kind === 'unsatisfiable') {
    void discard(response.body)
    const answer = new Headers({ 'content-range': unsatisfiedContentRange(size) })
    return withStatus(new Response(null, { status: 416, headers: answer }), status, timing)
  }
  if (decision.kind !== 'partial') return undefined
  void discard(response.body)
  status.detail = 'range-from-origin'
  const span = { start: decision.start, end: decision.end }
  return rangeFromOrigin(parts, request, span, size, status, timing)
}

/**
 * A range the fill has not reached, fetched from the origin for this request alone. An origin
 * that ignores Range sends the whole body: it is cut here.
 * @param size the body's complete length
 */
export async function rangeFromOrigin(
  parts: Pick<RangeParts, 'clock' | 'originFor'>,
  request: TierRequest,
  span: ByteSpan,
  size: number,
  status: CacheStatusEntry,
  timing: TierTiming
): Promise<Response> {
  const headers = new Headers(request.headers)
  headers.set('range', `bytes=${span.start}-${span.end}`)
  const started = parts.clock.now()
  try {
    const response = await parts.originFor(request).fetch(originGet(request, headers))
    const answer = stripHopByHop(response.headers)
    const took = { ...timing, originMs: parts.clock.now() - started }
    if (response.status !== 200 || !response.body) {
      const passed = new Response(response.body, { status: response.status, headers: answer })
      return withStatus(passed, status, took)
    }
    answer.set('content-range', contentRange(span.start, span.end, size))
    answer.set('content-length', String(span.end - span.start + 1))
    const body = sliceStream(response.body, span.start, span.end)
    return withStatus(new Response(body, { status: 206, headers: answer }), status, took)
  } catch (error) {
    return withStatus(originFailureResponse(error), status, timing)
  }
}
