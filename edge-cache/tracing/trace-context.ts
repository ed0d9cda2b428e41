/**
 * @module tracing/trace-context
 * W3C Trace Context: the `traceparent` field a client sends is continued (same trace id, this
 * edge's own span id as the new parent), and a trace is started when it sends none or a
 * malformed one. Pure apart from the random ids.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */

export interface TraceContext {
  traceId: string
  /** This edge's span: the parent id the tier and the origin receive. */
  spanId: string
  /** The client's span, when it sent one. */
  parentId?: string
  /** `trace-flags`, two hex digits (`01`: sampled). */
  flags: string
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/**
 * @param value the `traceparent` field
 * @returns its trace id, parent id and flags, or undefined when it must be ignored (§4.3:
 *   version ff, all-zero ids, version 00 with more fields, anything not lower-case hex)
 */
export function parseTraceparent(
  value: string | null | undefined
): { traceId: string; parentId: string; flags: string } | undefined {
  const match = TRACEPARENT.exec(value?.trim() ?? '')
  if (!match) return undefined
  const [, version, traceId, parentId, flags, rest] = match
  if (!version || !traceId || !parentId || !flags || version === 'ff') return undefined
  if (version === '00' && rest !== undefined) return undefined
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined
  return { traceId, parentId, flags }
}

/**
 * @param incoming the client's `traceparent`, if any
 * @param random fills a byte array with random values (crypto.getRandomValues)
 * @returns the trace this request belongs to, with a fresh span id for the edge
 */
export function continueTrace(
  incoming: string | null | undefined,
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)
): TraceContext {
  const spanId = hex(random(new Uint8Array(8)))
  const parent = parseTraceparent(incoming)
  if (parent)
    return { traceId: parent.traceId, spanId, parentId: parent.parentId, flags: parent.flags }
  return { traceId: hex(random(new Uint8Array(16))), spanId, flags: '01' }
}

/**
 * The trace a downstream part (the tier shard) belongs to: the edge's trace and span, read from
 * the `traceparent` the edge sent on. The shard passes it to its few log lines explicitly rather
 * than running every request, and every promise of its streamed bodies, in AsyncLocalStorage.
 */
export function receivedTrace(traceparent: string | null | undefined): TraceContext | undefined {
  const parsed = parseTraceparent(traceparent)
  return parsed && { traceId: parsed.traceId, spanId: parsed.parentId, flags: parsed.flags }
}

/** @returns the `traceparent` this edge sends on (version 00) */
export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}
