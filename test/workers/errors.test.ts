import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, it, vi } from 'vitest'
import { settingsOf } from '../../schemas/settings'
import type { AppEnv } from '../../workers/app-env'
import { handleError } from '../../workers/errors'

function appThrowing(fail: () => never) {
  const app = new Hono<AppEnv>()
  app.onError(handleError)
  app.get('*', () => fail())
  return app
}

describe('handleError', () => {
  it('answers 500 invalid_settings naming every malformed variable', async ({ expect }) => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const env = { PURGE_STALENESS_MS: '5O', TIER_JURISDICTIONS: 'yes', ORIGIN_URL: '' }
    const app = appThrowing(() => {
      settingsOf(env)
      throw new Error('unreachable: the settings are malformed')
    })
    const res = await app.request('/a.css')
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = (await res.json()) as {
      error: string
      problems: { variable: string; message: string }[]
    }
    expect(body.error).toBe('invalid_settings')
    expect(body.problems.map((p) => p.variable).sort()).toEqual([
      'PURGE_STALENESS_MS',
      'TIER_JURISDICTIONS',
    ])
    expect(body.problems.find((p) => p.variable === 'PURGE_STALENESS_MS')?.message).toContain(
      '"5O"'
    )
  })

  it('keeps an HTTP error’s status and hides anything else behind a generic 500', async ({
    expect,
  }) => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const notFound = await appThrowing(() => {
      throw new HTTPException(404, { message: 'no such path' })
    }).request('/x')
    expect(notFound.status).toBe(404)
    const bug = await appThrowing(() => {
      throw new Error('secret detail')
    }).request('/x')
    expect(bug.status).toBe(500)
    expect(await bug.text()).not.toContain('secret detail')
  })
})
