import { describe, it } from 'vitest'
import {
  decideResidency,
  mayStoreIn,
  type ResidencyRule,
  residencyForTags,
} from '../../edge-cache/residency'

const rules: ResidencyRule[] = [
  { name: 'eu-data', pathPrefix: '/eu/', region: 'eu', mode: 'cache-in-region' },
  { name: 'eu-strict', pathPrefix: '/eu/private/', region: 'eu', mode: 'serve-in-region' },
  { name: 'sg-tag', tag: 'sg-only', region: 'apac', mode: 'serve-in-region' },
  { name: 'us-tag', tag: 'us-cache', region: 'us', mode: 'cache-in-region' },
]

describe('decideResidency', () => {
  it.for([
    ['/public/a.css', 'us', 'open'],
    ['/eu/a.css', 'eu', 'in-region'],
    ['/eu/a.css', 'us', 'via-home-tier'],
    ['/eu/private/x', 'eu', 'in-region'],
    ['/eu/private/x', 'apac', 'refuse'],
    ['/eux', 'us', 'open'],
  ] as const)('decides %s for a client in %s: %s', ([path, region, kind], { expect }) => {
    expect(decideResidency(rules, path, region).kind).toBe(kind)
  })

  it('lets the longest matching prefix win', ({ expect }) => {
    const decision = decideResidency(rules, '/eu/private/x', 'us')
    expect(decision).toEqual({
      kind: 'refuse',
      residency: { rule: 'eu-strict', region: 'eu', mode: 'serve-in-region' },
    })
  })

  it('ignores tag rules before a response is known', ({ expect }) => {
    expect(decideResidency(rules, '/anything', 'eu').kind).toBe('open')
  })
})

describe('residencyForTags', () => {
  it.for([
    [['sg-only'], 'apac', 'in-region'],
    [['a', 'sg-only'], 'eu', 'refuse'],
    [['us-cache'], 'eu', 'via-home-tier'],
    [['other'], 'eu', 'open'],
    [[], 'eu', 'open'],
  ] as const)('decides tags %j for %s: %s', ([tags, region, kind], { expect }) => {
    expect(residencyForTags(rules, tags, region).kind).toBe(kind)
  })
})

describe('mayStoreIn', () => {
  it.for([
    [undefined, 'us', true],
    [{ rule: 'r', region: 'eu', mode: 'cache-in-region' }, 'eu', true],
    [{ rule: 'r', region: 'eu', mode: 'cache-in-region' }, 'us', false],
    [{ rule: 'r', region: 'eu', mode: 'serve-in-region' }, 'global', false],
  ] as const)('for %j in %s: %s', ([residency, region, allowed], { expect }) => {
    expect(mayStoreIn(residency, region)).toBe(allowed)
  })
})
