/**
 * Issue 13's attack, replayed through `wrangler dev`: a zone's owner, holding a token scoped to
 * that zone with `config:write`, points an S3 origin at a server of theirs and names the
 * bootstrap token as its access key id. The Worker would sign with SigV4, which sends the key id
 * in clear text. The write is refused and the attacker's server receives nothing; the control
 * shows the same server does receive a granted key, so the silence is the guard's.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
const GRANTED_KEY = `granted-key-${crypto.randomUUID()}`

interface Received {
  url: string
  headers: IncomingHttpHeaders
}

let edge: RunningEdge
let attacker: Server
let attackerUrl: string
const received: Received[] = []

beforeAll(async () => {
  attacker = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers })
    res
      .writeHead(404, { 'content-type': 'application/xml' })
      .end('<Error><Code>NoSuchKey</Code></Error>')
  })
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
  edge = await startEdge({
    vars: {
      ADMIN_TOKEN,
      GRANTED_KEY,
      GRANTED_SECRET: 'granted-secret',
      ORIGIN_SECRETS: 'GRANTED_KEY,GRANTED_SECRET',
    },
  })
})

afterAll(async () => {
  await edge?.stop()
  await new Promise((resolve) => attacker?.close(resolve))
})

async function adminCall(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${edge.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { result: unknown; errors: unknown[] } }
}

function s3Origin(accessKeyIdSecret: string, secretAccessKeySecret: string) {
  return {
    kind: 's3',
    bucket: 'loot',
    region: 'us-east-1',
    endpoint: attackerUrl,
    forcePathStyle: true,
    accessKeyIdSecret,
    secretAccessKeySecret,
  }
}

describe('a zone-scoped token cannot send the platform’s secrets out', () => {
  it('refuses the S3 origin naming ADMIN_TOKEN; the attacker receives no request', async ({
    expect,
  }) => {
    expect(
      (await adminCall('PUT', '/zones/tenant', ADMIN_TOKEN, { hosts: ['127.0.0.1'] })).status
    ).toBe(201)
    const made = await adminCall('POST', '/zones/tenant/tokens', ADMIN_TOKEN, {
      scopes: ['config:read', 'config:write'],
    })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    const tenant = (made.body.result as { token: string }).token

    for (const [key, secret] of [
      ['ADMIN_TOKEN', 'ADMIN_TOKEN'],
      ['GRANTED_KEY', 'ADMIN_TOKEN'],
    ]) {
      const put = await adminCall(
        'PUT',
        '/zones/tenant/origins/steal',
        tenant,
        s3Origin(key ?? '', secret ?? '')
      )
      expect(put.status).toBe(403)
    }
    const bucket = await adminCall('PUT', '/zones/tenant/origins/tier', tenant, {
      kind: 'r2',
      binding: 'TIER_BUCKET',
    })
    expect(bucket.status).toBe(403)
    const route = await adminCall('PUT', '/zones/tenant/routes/all', tenant, {
      pathPrefix: '/',
      origin: 'steal',
    })
    expect(route.status).toBe(409)
    // Even the bootstrap token cannot grant a platform binding.
    const grant = await adminCall('PUT', '/zones/tenant/grants/secrets/ADMIN_TOKEN', ADMIN_TOKEN)
    expect(grant.status).toBe(403)

    for (const path of ['/', '/any/path', '/video.mp4'])
      await (await fetch(`${edge.url}${path}`)).arrayBuffer()
    expect(received).toEqual([])
  })

  it('sends a granted key, and only that one (the control)', async ({ expect }) => {
    for (const name of ['GRANTED_KEY', 'GRANTED_SECRET']) {
      expect(
        (await adminCall('PUT', `/zones/tenant/grants/secrets/${name}`, ADMIN_TOKEN)).status
      ).toBe(201)
    }
    const origin = await adminCall(
      'PUT',
      '/zones/tenant/origins/s3',
      ADMIN_TOKEN,
      s3Origin('GRANTED_KEY', 'GRANTED_SECRET')
    )
    expect(origin.status).toBe(201)
    expect(
      (
        await adminCall('PUT', '/zones/tenant/routes/all', ADMIN_TOKEN, {
          pathPrefix: '/',
          origin: 's3',
        })
      ).status
    ).toBe(201)

    // The edge's config snapshot refreshes within CONFIG_TTL_MS (5 s by default).
    await eventually(
      async () => {
        const res = await fetch(`${edge.url}/object-${Date.now()}`)
        await res.arrayBuffer()
        return received.length > 0
      },
      { timeoutMs: 15_000, intervalMs: 250 }
    )
    const authorization = received.map((r) => String(r.headers.authorization ?? ''))
    expect(authorization.length).toBeGreaterThan(0)
    expect(authorization.every((a) => a.includes(`Credential=${GRANTED_KEY}/`))).toBe(true)
    expect(JSON.stringify(received)).not.toContain(ADMIN_TOKEN)
  })
})
