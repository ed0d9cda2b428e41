import { describe, it } from 'vitest'
import {
  type ConfigState,
  planApply,
  sameJson,
  type ZoneState,
} from '../../../schemas/api/config-plan'

const web = { kind: 'http', url: 'http://127.0.0.1:9000' }
const cdn = { kind: 'r2', binding: 'ORIGIN_BUCKET', prefix: '' }
const route = (origin: string) => ({
  pathPrefix: '/',
  origin,
  bypass: false,
  allowSetCookie: false,
})

function zone(partial: Partial<ZoneState> = {}): ZoneState {
  return { hosts: ['d.test'], origins: {}, routes: {}, residencyRules: {}, ...partial }
}

function lines(desired: ConfigState, current: ConfigState): string[] {
  return planApply(desired, current).map((s) => `${s.method} ${s.path}`)
}

describe('planApply', () => {
  it('plans nothing when the API already holds the file', ({ expect }) => {
    const state = { zones: { d: zone({ origins: { web }, routes: { all: route('web') } }) } }
    expect(planApply(state, structuredClone(state))).toEqual([])
  })

  it('ignores key order when comparing specs', ({ expect }) => {
    const desired = { zones: { d: zone({ origins: { web } }) } }
    const current = { zones: { d: zone({ origins: { web: { url: web.url, kind: 'http' } } }) } }
    expect(planApply(desired, current)).toEqual([])
  })

  it('creates a zone, then its origins, then the routes that use them', ({ expect }) => {
    const desired = {
      zones: {
        d: zone({
          origins: { web },
          routes: { all: route('web') },
          residencyRules: { eu: { pathPrefix: '/eu/', region: 'eu', mode: 'serve-in-region' } },
        }),
      },
    }
    const steps = planApply(desired, { zones: {} })
    expect(steps.map((s) => [s.change, s.what])).toEqual([
      ['create', 'zone d'],
      ['create', 'origin d/web'],
      ['create', 'route d/all'],
      ['create', 'residency rule d/eu'],
    ])
    expect(steps[0]?.body).toEqual({ hosts: ['d.test'] })
    expect(steps[2]?.path).toBe('/zones/d/routes/all')
    expect(steps[3]?.path).toBe('/zones/d/residency-rules/eu')
  })

  it('moves a route to a new origin before deleting the old one', ({ expect }) => {
    const current = { zones: { d: zone({ origins: { web }, routes: { all: route('web') } }) } }
    const desired = { zones: { d: zone({ origins: { cdn }, routes: { all: route('cdn') } }) } }
    expect(lines(desired, current)).toEqual([
      'PUT /zones/d/origins/cdn',
      'PUT /zones/d/routes/all',
      'DELETE /zones/d/origins/web',
    ])
  })

  it('deletes routes before the origins they use', ({ expect }) => {
    const current = { zones: { d: zone({ origins: { web }, routes: { all: route('web') } }) } }
    expect(lines({ zones: { d: zone() } }, current)).toEqual([
      'DELETE /zones/d/routes/all',
      'DELETE /zones/d/origins/web',
    ])
  })

  it('deletes zones the file no longer lists, first, and only the zone', ({ expect }) => {
    const current = {
      zones: { old: zone({ hosts: ['x.test'], origins: { web } }), d: zone() },
    }
    const desired = { zones: { d: zone(), new: zone({ hosts: ['x.test'] }) } }
    expect(lines(desired, current)).toEqual(['DELETE /zones/old', 'PUT /zones/new'])
  })

  it('updates a zone giving up a host before creating the zone taking it', ({ expect }) => {
    const current = { zones: { b: zone({ hosts: ['b.test', 'x.test'] }) } }
    const desired = { zones: { a: zone({ hosts: ['x.test'] }), b: zone({ hosts: ['b.test'] }) } }
    expect(planApply(desired, current).map((s) => [s.change, s.what])).toEqual([
      ['update', 'zone b'],
      ['create', 'zone a'],
    ])
  })

  it('lists a host once, as the API stores it', ({ expect }) => {
    const current = { zones: { d: zone({ hosts: ['d.test'] }) } }
    expect(planApply({ zones: { d: zone({ hosts: ['d.test', 'd.test'] }) } }, current)).toEqual([])
  })
})

describe('sameJson', () => {
  it.for([
    [{ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: '1' }, false],
  ] as const)('%j vs %j: %s', ([a, b, expected], { expect }) => {
    expect(sameJson(a, b)).toBe(expected)
  })
})
