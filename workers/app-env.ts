/**
 * @module app-env
 * The Hono environment shared by every route: the Worker's bindings.
 */
export interface AppEnv {
  Bindings: Env
}
