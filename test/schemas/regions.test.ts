import { describe, it } from 'vitest'
import { REGIONS, regionNamed, regionOf } from '../../schemas/regions'

describe('regionOf', () => {
  it.for([
    [{ colo: 'FRA' }, 'eu'],
    [{ colo: 'fra' }, 'eu'],
    [{ colo: 'DFW', country: 'US' }, 'us'],
    [{ colo: 'SIN', country: 'SG' }, 'apac'],
    [{ colo: 'XXX', country: 'PL' }, 'eu'],
    [{ colo: 'XXX', country: 'ZZ', continent: 'OC' }, 'apac'],
    [{ colo: 'XXX', country: 'BR', continent: 'SA' }, 'global'],
    [{ colo: 'LOCAL' }, 'global'],
  ] as const)('maps %j to %s', ([pop, region], { expect }) => {
    expect(regionOf(pop).name).toBe(region)
  })

  it('places every colo in exactly one region', ({ expect }) => {
    const colos = REGIONS.flatMap((r) => r.colos)
    expect(new Set(colos).size).toBe(colos.length)
  })

  it('rejects an unknown region name', ({ expect }) => {
    expect(() => regionNamed('mars')).toThrow(TypeError)
  })
})
