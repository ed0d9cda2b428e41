/**
 * The end-to-end fixture most e2e files share: a scripted origin on loopback and `wrangler dev`
 * in proxy mode in front of it, started once per file and stopped after it.
 */
import { afterAll, beforeAll } from 'vitest'
import { type OriginHit, type OriginScript, startOrigin, type TestOrigin } from './origin'
import { originControl } from './origin-control'
import { type RunningEdge, startEdge } from './wrangler-dev'

export interface ProxyEdge {
  /** The edge's base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string
  /** The origin's base URL (ORIGIN_URL). */
  readonly originUrl: string
  /** Scripts and counts the origin behind it. */
  readonly control: {
    script(path: string, script: OriginScript): Promise<void>
    hits(path: string): Promise<OriginHit[]>
  }
}

/**
 * Registers the fixture's start and stop hooks for the calling test file.
 * @param vars extra Worker vars for `wrangler dev`
 */
export function useProxyEdge(vars: Record<string, string> = {}): ProxyEdge {
  let origin: TestOrigin | undefined
  let edge: RunningEdge | undefined
  beforeAll(async () => {
    origin = await startOrigin()
    edge = await startEdge({
      vars: { ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: '1500', ...vars },
    })
  })
  afterAll(async () => {
    await edge?.stop()
    await origin?.close()
  })
  const control = () => {
    if (!origin) throw new Error('the proxy edge is not started: use it inside a test')
    return originControl(origin.url)
  }
  return {
    get url() {
      if (!edge) throw new Error('the proxy edge is not started: use it inside a test')
      return edge.url
    },
    get originUrl() {
      if (!origin) throw new Error('the proxy edge is not started: use it inside a test')
      return origin.url
    },
    control: {
      script: (path, script) => control().script(path, script),
      hits: (path) => control().hits(path),
    },
  }
}
