/**
 * @module discard
 * Drops a body nobody will read. Cancelling an errored stream (an upstream that went away
 * mid-body) rejects with its error; here that is expected, and left unobserved it would be
 * logged as an uncaught error on every such request.
 */

/** Cancels `body`, if any; never rejects. */
export async function discard(body: ReadableStream | null | undefined): Promise<void> {
  await body?.cancel().catch(() => undefined)
}
