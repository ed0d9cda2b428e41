/**
 * @module app-env
 * The Hono environment shared by every route: the Worker's bindings, and the clock the app was
 * built with (workers/index.ts `createWorker`), which tests replace with a manual one.
 */
import type { Clock } from '../edge-cache/clock'

export interface AppEnv {
  Bindings: Env
  Variables: { clock: Clock }
}
