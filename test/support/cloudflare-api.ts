/**
 * A loopback stand-in for Cloudflare's zone purge endpoint, the only part of this project's
 * world that cannot run here: `POST /client/v4/zones/:zone_id/purge_cache` answers in
 * Cloudflare's envelope, checks the bearer token, and records every call. Tests script its
 * next answers (e.g. a 429, or 500s until told otherwise).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedPurge {
  zoneId: string
  authorization: string | undefined
  body: { tags?: string[]; [field: string]: unknown }
  /** What the stand-in answered. */
  status: number
}

export interface CloudflareApi {
  /** e.g. http://127.0.0.1:PORT/client/v4 */
  baseUrl: string
  received: ReceivedPurge[]
  /** Answers the next calls with these statuses, in order, then 200 again. */
  answerNext(...statuses: number[]): void
  /** Answers every call with `status` until set back to 200. */
  answerAlways(status: number): void
  close(): Promise<void>
}

export async function startCloudflareApi(token: string): Promise<CloudflareApi> {
  const received: ReceivedPurge[] = []
  let next: number[] = []
  let always = 200
  const server = createServer((req, res) => {
    const match = /^\/client\/v4\/zones\/([^/]+)\/purge_cache$/.exec(req.url ?? '')
    let text = ''
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString()
    })
    req.on('end', () => {
      if (!match?.[1] || req.method !== 'POST') {
        res.writeHead(404).end()
        return
      }
      const authorized = req.headers.authorization === `Bearer ${token}`
      const status = !authorized ? 403 : (next.shift() ?? always)
      let body: ReceivedPurge['body'] = {}
      try {
        body = JSON.parse(text) as ReceivedPurge['body']
      } catch {
        // recorded as empty: the test sees what was (not) sent
      }
      received.push({ zoneId: match[1], authorization: req.headers.authorization, body, status })
      const ok = status === 200
      res
        .writeHead(status, {
          'content-type': 'application/json',
          ...(status === 429 ? { 'retry-after': '0' } : {}),
        })
        .end(
          JSON.stringify({
            success: ok,
            errors: ok ? [] : [{ code: status, message: `status ${status}` }],
            messages: [],
            result: ok ? { id: match[1] } : null,
          })
        )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    received,
    answerNext: (...statuses) => {
      next = statuses
    },
    answerAlways: (status) => {
      always = status
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
