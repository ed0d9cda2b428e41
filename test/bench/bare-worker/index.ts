/**
 * The bench's "bare Worker": answers GETs from the Cache API, filling a miss from ORIGIN_URL,
 * with no other logic (no config, no policy, no tier). It is what our L1 hit is compared to.
 */
interface BareEnv {
  ORIGIN_URL: string
}

export default {
  async fetch(request: Request, env: BareEnv, ctx: ExecutionContext): Promise<Response> {
    const cache = caches.default
    const hit = await cache.match(request)
    if (hit) return hit
    const url = new URL(request.url)
    const fresh = await fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`)
    if (fresh.ok) ctx.waitUntil(cache.put(request, fresh.clone()))
    return fresh
  },
} satisfies ExportedHandler<BareEnv>
