/**
 * @module clocked-worker
 * The Worker built on a test's clock (`createWorker({ clock })`, workers/index.ts) and called as
 * the runtime calls it: the edge's freshness, purge bound and drills, and the admin API's times,
 * move when the test advances the clock, not while it sleeps.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { Clock } from '../../edge-cache/clock'
import { createWorker } from '../../workers/index'

/** Sends one request through the Worker. */
export type WorkerFetch = (request: Request) => Promise<Response>

/** Statuses whose response has no body (Fetch standard: null body status). */
const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * @param clock the time every route of the Worker reads
 * @returns a fetch through that Worker; it answers once the body is read and the request's
 *   background work (L1 stores, revalidations, purge-window refreshes) is done, so what a
 *   request leaves behind is in place before the next one
 */
export function clockedWorker(clock: Clock): WorkerFetch {
  const app = createWorker({ clock })
  return async (request) => {
    const ctx = createExecutionContext()
    const res = await app.fetch(request, env, ctx)
    // Read the body before awaiting the background work, as a client would: a store that tees
    // the body waits for it.
    const body = await res.arrayBuffer()
    await waitOnExecutionContext(ctx)
    return new Response(NULL_BODY.has(res.status) ? null : body, res)
  }
}
