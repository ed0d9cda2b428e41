import { describe, it } from 'vitest'
import { residencyField, unavailableHere } from '../../edge-cache/edge-answers'

const residency = { region: 'eu', mode: 'serve-in-region', rule: 'gdpr' } as const

describe('residencyField', () => {
  it('names region, mode and rule', ({ expect }) => {
    expect(residencyField(residency)).toBe('eu; mode=serve-in-region; rule=gdpr')
  })
})

describe('unavailableHere', () => {
  it('answers 451 naming the region, with no cache taking part', async ({ expect }) => {
    const { response, cacheStatus } = unavailableHere(residency)
    expect(response.status).toBe(451)
    expect(response.headers.get('edge-residency')).toBe('eu; mode=serve-in-region; rule=gdpr')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('resident_elsewhere')
    expect(body.error.message).toContain('region eu')
    expect(cacheStatus).toEqual([])
  })
})
