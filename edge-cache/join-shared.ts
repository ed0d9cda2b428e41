/**
 * @module join-shared
 * Joining work that another request of the isolate started (a config load, a purge-view
 * refresh, an L1 fill). workerd runs a promise's reactions in the request that settles it, so a
 * request that simply awaits the shared promise resumes inside the other request: whatever it
 * opens next (a cache read, a stub) belongs to that request, and reading it later fails with
 * "Cannot perform I/O on behalf of a different request" (seen as rare 500s under load). A
 * promise created by the joiner and settled from the other request is handed back to the
 * joiner's own request by the runtime (cross-request promise resolution).
 * @see https://github.com/cloudflare/workerd/pull/2719
 */

/** Waits for `shared` and resumes in the calling request. */
export function joinShared<T>(shared: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    shared.then(resolve, reject)
  })
}
