/**
 * Calls the admin API of the Worker under test (inside workerd, through `exports.default` unless
 * a call names another Worker).
 */
import { env, exports } from 'cloudflare:workers'
import type { ApiEnvelope } from '../../schemas/api/admin'

/** The bootstrap token the vitest config binds as `ADMIN_TOKEN`. */
export function bootstrapToken(): string {
  const token = env.ADMIN_TOKEN
  if (!token)
    throw new TypeError('expected miniflare.bindings.ADMIN_TOKEN in test/vitest.config.ts')
  return token
}

export interface AdminCall {
  /** `null` sends no Authorization field; default: the bootstrap token. */
  token?: string | null
  /** Sent as JSON; a string is sent as is. */
  body?: unknown
  /** CF-Connecting-IP, the key of the failed-auth rate limit. */
  ip?: string
  headers?: Record<string, string>
  /** The Worker to call (e.g. one on a test's clock, test/support/clocked-worker.ts). */
  worker?: (request: Request) => Promise<Response>
}

export interface AdminAnswer<T = unknown> {
  status: number
  headers: Headers
  body: ApiEnvelope<T>
}

/**
 * @param method the HTTP method
 * @param path below `/_admin`
 */
export async function admin<T = unknown>(
  method: string,
  path: string,
  call: AdminCall = {}
): Promise<AdminAnswer<T>> {
  const headers = new Headers(call.headers)
  const token = call.token === undefined ? bootstrapToken() : call.token
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  headers.set('cf-connecting-ip', call.ip ?? '192.0.2.1')
  let body: string | undefined
  if (call.body !== undefined) {
    headers.set('content-type', 'application/json')
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body)
  }
  const request = new Request(`https://admin.test/_admin${path}`, { method, headers, body })
  const res = await (call.worker ?? ((r: Request) => exports.default.fetch(r)))(request)
  return { status: res.status, headers: res.headers, body: (await res.json()) as ApiEnvelope<T> }
}

let lastIp = 0
/** @returns an IP no other test uses, so that rate-limit buckets do not leak between tests */
export function freshIp(): string {
  lastIp++
  return `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`
}
