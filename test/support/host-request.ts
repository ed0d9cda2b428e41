/**
 * Requests to `wrangler dev` with any Host and simulated PoP: `fetch` will not send another
 * Host than the URL's, node:http will. For e2e tests and benchmarks.
 */
import { request } from 'node:http'

/** Where a simulated request enters: wrangler dev reads `request.cf` from MF-CF-Blob. */
export interface Pop {
  colo: string
  country: string
  continent: string
}

export interface HostAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * @param base the server, e.g. http://127.0.0.1:8787
 * @param host the Host field to send
 * @param path the request target
 * @param pop the PoP the request enters at
 */
export function getAt(base: string, host: string, path: string, pop: Pop): Promise<HostAnswer> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        agent: false,
        headers: { host, 'accept-encoding': 'identity', 'mf-cf-blob': JSON.stringify(pop) },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end()
  })
}

/**
 * Polls `check` until it returns true or `ms` pass (no fixed sleeps: a correctness wait, never
 * a timing assertion).
 * @returns whether it became true
 */
export async function eventually(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}
