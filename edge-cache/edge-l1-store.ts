/**
 * @module edge-l1-store
 * Whether the edge keeps a copy of a response in L1 (this PoP's Cache API), and the put when it
 * does. It returns what it decided; the caller writes that into `Cache-Status`.
 */
import type { EdgeCall, EdgeRequest } from './edge-request'
import { L1_MAX_STREAMED_BYTES } from './edge-request'
import { entryMetaOf, retention, storedView } from './entry'
import { cacheTags, canStore, contentLength, headersToStore, varyFields } from './policy'
import { residencyForTags } from './residency'
import { failWhenSilent } from './silence'
import { dropDiagnostics } from './status-headers'
import { EDGE_L1_FIELD, edgeL1Refusal } from './tier/protocol'
import { logError } from './tracing/log'

/** What L1 did with a response, and the body the client reads (a tee branch when stored). */
export interface L1Store {
  body: ReadableStream<Uint8Array> | null
  /** Settles once the put ends: whether L1 now holds the response. */
  stored: Promise<boolean>
  /** Whether a put was started (`Cache-Status: stored`). */
  storing: boolean
  /** Why a storable response was not kept, for `Cache-Status` (e.g. `too-large-for-l1`). */
  detail?: string
}

/**
 * Stores the response in L1 when the policy allows and it stays usable for a while.
 * @param call the request in flight
 * @param response the full response from upstream
 * @param requestTime when it was asked for
 * @param silenceMs how long the body may send nothing while it is stored (edge-cache/silence.ts)
 * @returns what was decided, and the body the client should read
 */
export function storeInL1(
  call: EdgeCall,
  response: Response,
  requestTime: number,
  silenceMs?: number
): L1Store {
  const { edge, requestHeaders, deps } = call
  const decision = canStore({
    method: 'GET',
    requestHeaders,
    status: response.status,
    responseHeaders: response.headers,
    allowSetCookie: edge.tier.allowSetCookie,
  })
  const fields = varyFields(response.headers)
  // A part the tier answered (206, 416) is this client's alone: L1 keeps full responses only.
  const whole = response.status !== 206 && response.status !== 416
  if (!decision.ok || fields === '*' || !response.body || !whole) return notStored(response.body)
  if (!mayStoreHere(edge, response.headers)) {
    return notStored(response.body, 'resident-elsewhere')
  }
  // Archival content is cached in the tier only (tier/archival.ts); large objects the tier has
  // seen only once are not kept yet (second-hit admission, tier/admission.ts).
  const l1Refusal = edgeL1Refusal(response.headers.get(EDGE_L1_FIELD))
  if (l1Refusal) return notStored(response.body, l1Refusal)
  // The put checks the body against its length (FixedLengthStream): a body that does not
  // declare one (chunked from the origin, on a miss) is kept by the tier only.
  const length = contentLength(response.headers)
  if (length === undefined) return notStored(response.body, 'length-unknown')
  if (length > L1_MAX_STREAMED_BYTES) return notStored(response.body, 'too-large-for-l1')
  const responseTime = deps.clock.now()
  const meta = entryMetaOf({
    response,
    vary: fields,
    requestHeaders,
    requestTime,
    responseTime,
    purgeSeq: deps.purge.seq,
    zone: edge.zone,
    size: length,
  })
  const headers = headersToStore(response.headers, decision.directives, responseTime)
  dropDiagnostics(headers)
  const { seconds } = retention(storedView(meta, headers), responseTime)
  if (seconds <= 0) return notStored(response.body)
  const source = silenceMs === undefined ? response.body : failWhenSilent(response.body, silenceMs)
  const [forCache, forClient] = source.tee()
  // A copy that ends short must fail the put, never become an entry that looks complete.
  const checked = forCache.pipeThrough(new FixedLengthStream(length))
  const stored = deps.l1.put(edge.key, meta, headers, checked, seconds).then(
    () => true,
    async (error: unknown) => {
      logError('edge: L1 put failed', edge.key, error)
      // A failed put may leave part of an entry behind (local Miniflare does): drop it.
      await deps.l1.delete(edge.key).catch(() => false)
      return false
    }
  )
  deps.waitUntil(stored)
  return { body: forClient, stored, storing: true }
}

function notStored(body: ReadableStream<Uint8Array> | null, detail?: string): L1Store {
  return { body, stored: Promise.resolve(false), storing: false, ...(detail && { detail }) }
}

/** L1 stores resident content only inside its region, whether pinned by path or by tag. */
export function mayStoreHere(edge: EdgeRequest, headers: Headers): boolean {
  if (edge.residency.kind === 'via-home-tier') return false
  const byTag = residencyForTags(edge.rules, cacheTags(headers), edge.clientRegion)
  return byTag.kind === 'open' || byTag.kind === 'in-region'
}
