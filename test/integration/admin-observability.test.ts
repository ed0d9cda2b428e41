import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { createWorker } from '../../workers/index'
import { putZone } from '../support/config'
import { FRA } from '../support/pops'

const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}` }

function admin(path: string, init: RequestInit = {}) {
  return exports.default.fetch(new Request(`https://admin.test/_admin${path}`, init))
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'obs',
    hosts: ['obs.test'],
    origin: { kind: 'http', url: inject('originUrl') },
  })
})

describe('openapi.json', () => {
  it('describes every admin resource with schemas generated from the validators', async ({
    expect,
  }) => {
    const res = await admin('/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as {
      openapi: string
      paths: Record<string, unknown>
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/zones/{zone}',
        '/zones/{zone}/origins/{name}',
        '/zones/{zone}/routes/{name}',
        '/zones/{zone}/residency-rules/{name}',
        '/zones/{zone}/tokens',
        '/zones/{zone}/purge_cache',
      ])
    )
    expect(Object.keys(doc.components.schemas.Purge?.properties ?? {})).toEqual(
      expect.arrayContaining(['files', 'tags', 'prefixes', 'hosts', 'purge_everything', 'soft'])
    )
    expect(Object.keys(doc.components.schemas.Route?.properties ?? {})).toContain('pathPrefix')
  })
})

describe('metrics', () => {
  it('needs a token', async ({ expect }) => {
    expect((await admin('/metrics')).status).toBe(401)
  })

  it('reports the network-wide counts of the analytics stores, and this isolate’s purges', async ({
    expect,
  }) => {
    const cf = FRA
    const app = createWorker()
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext()
      const res = await app.fetch(
        new Request('https://obs.test/m.css', { cf } as RequestInit),
        env,
        ctx
      )
      await res.text()
      // Its analytics batch is flushed to the store under waitUntil.
      await waitOnExecutionContext(ctx)
    }
    const purge = await admin('/zones/obs/purge_cache', {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ tags: ['x'] }),
    })
    expect(purge.status).toBe(200)
    const res = await admin('/metrics', { headers: ADMIN })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await res.text()
    const requests = (layer: string) =>
      new RegExp(
        `^edge_requests_total\\{zone="obs",region="eu",layer="${layer}",colo="FRA",status_class="2xx"\\} 1$`,
        'm'
      )
    expect(text).toMatch(requests('l1'))
    expect(text).toMatch(requests('origin'))
    expect(text).toMatch(
      /^edge_request_duration_seconds_count\{zone="obs",region="eu",layer="l1"\} 1$/m
    )
    expect(text).toMatch(/^edge_isolate_purges_total\{kind="tag"\} [1-9]\d*$/m)
    expect(text).toContain('# TYPE edge_requests_total counter')
    expect(text).toContain('# TYPE edge_request_duration_seconds histogram')
    // Cold, /metrics starts the zone's four region stores (each migrates its SQLite): ~3 s on
    // this machine when other suites share it, too close to the default 5 s.
  }, 30_000)
})
