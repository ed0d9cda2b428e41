/**
 * @module app-env
 * The Hono environment shared by every route: the Worker's bindings, and the clock the app was
 * built with (workers/index.ts `createWorker`), which tests replace with a manual one.
 */
import type { Clock } from '../edge-cache/clock'
import type { Spans } from '../edge-cache/tracing/spans'

export interface AppEnv {
  Bindings: Env
  /** The clock, and the spans the request path's I/O is traced in (tests record them). */
  Variables: { clock: Clock; spans: Spans }
}
