/**
 * Requests to `wrangler dev` with any Host and simulated PoP: `fetch` will not send another
 * Host than the URL's, node:http will. For e2e tests and benchmarks.
 */
import { request } from 'node:http'
import type { Pop } from './pops'

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
