/**
 * The OpenAPI document against the routes themselves, both ways: every route the admin app
 * answers is documented with its method and path parameters, every documented operation is a
 * route, and content types are right (`/metrics` is Prometheus text, not JSON).
 */

import { exports } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { adminOpenApi } from '../../schemas/api/openapi'
import { adminRoutes } from '../../workers/routes/admin'
import { bootstrapToken } from '../support/admin'

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

interface Operation {
  parameters?: { name: string; in: string }[]
  responses?: Record<string, { content?: Record<string, unknown> }>
}
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & {
  parameters?: { name: string; in: string }[]
}

/** `/zones/:zone/tokens/:id` → `/zones/{zone}/tokens/{id}` */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\/$/, '') || '/'
}

/** The dashboard's pages (`/ui`, `/ui/*`): HTML for a browser, not operations of the API. */
const NOT_API = /^\/ui(\/|$)/

/** Every `METHOD path` the admin app answers (middleware and the 404 catch-all excluded). */
function appOperations(): string[] {
  const ops = adminRoutes.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !NOT_API.test(r.path))
    .map((r) => `${r.method} ${openApiPath(r.path)}`)
  return [...new Set(ops)].sort()
}

function documentedOperations(paths: Record<string, PathItem>): string[] {
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`)
    )
    .sort()
}

describe('the OpenAPI document matches the admin routes', () => {
  const doc = adminOpenApi() as { paths: Record<string, PathItem> }

  it('documents every route and only routes that exist', ({ expect }) => {
    const app = appOperations()
    expect(app.length).toBeGreaterThan(10)
    const documented = documentedOperations(doc.paths)
    expect(app.filter((op) => !documented.includes(op))).toEqual([])
    expect(documented.filter((op) => !app.includes(op))).toEqual([])
  })

  it('declares every path parameter of every operation', ({ expect }) => {
    const problems: string[] = []
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
      for (const method of METHODS) {
        const op = item[method]
        if (!op) continue
        const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])]
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
        if ([...declared].sort().join() !== [...inPath].sort().join()) {
          problems.push(`${method} ${path}: declares [${declared}], path has [${inPath}]`)
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('gives each success the content type the route answers with', ({ expect }) => {
    const contentOf = (path: string, method: 'get' | 'post') => {
      const responses = doc.paths[path]?.[method]?.responses ?? {}
      const ok = Object.entries(responses).find(([status]) => status.startsWith('2'))?.[1]
      return Object.keys(ok?.content ?? {})
    }
    expect(contentOf('/metrics', 'get')).toEqual(['text/plain'])
    expect(contentOf('/zones/{zone}/analytics', 'get')).toEqual(['application/json'])
    expect(contentOf('/openapi.json', 'get')).toEqual(['application/json'])
  })
})

describe('documented content types are what the routes send', () => {
  const doc = adminOpenApi() as { paths: Record<string, PathItem> }

  it('answers each parameterless GET with its documented success content type', async ({
    expect,
  }) => {
    const checked: string[] = []
    for (const [path, item] of Object.entries(doc.paths)) {
      const responses = item.get?.responses
      if (!responses || path.includes('{')) continue
      const documented = Object.keys(responses['200']?.content ?? {})
      const res = await exports.default.fetch(
        new Request(`https://admin.test/_admin${path}`, {
          headers: { authorization: `Bearer ${bootstrapToken()}` },
        })
      )
      await res.arrayBuffer()
      const type = res.headers.get('content-type') ?? ''
      checked.push(path)
      expect(
        documented.some((t) => type.startsWith(t)),
        `${path}: ${type} vs ${documented}`
      ).toBe(true)
    }
    expect(checked).toEqual(expect.arrayContaining(['/metrics', '/openapi.json', '/audit']))
  })
})
