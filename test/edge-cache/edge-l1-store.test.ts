/**
 * The residency gate of the L1 store, pure. The put itself (a tee through FixedLengthStream into
 * the Cache API) runs inside workerd: test/edge-cache/edge.test.ts.
 */
import { describe, it } from 'vitest'
import { mayStoreHere } from '../../edge-cache/edge-l1-store'
import type { EdgeRequest } from '../../edge-cache/edge-request'
import type { ResidencyRule } from '../../edge-cache/residency'

const rules: ResidencyRule[] = [
  { name: 'sg-tag', tag: 'sg-only', region: 'apac', mode: 'serve-in-region' },
  { name: 'eu-tag', tag: 'eu-cache', region: 'eu', mode: 'cache-in-region' },
]
const gdpr = { region: 'eu', mode: 'cache-in-region', rule: 'gdpr' } as const

function edgeIn(clientRegion: string, residency: EdgeRequest['residency']) {
  return { rules, clientRegion, residency } as unknown as EdgeRequest
}

describe('mayStoreHere', () => {
  it.for([
    ['open content anywhere', 'us', { kind: 'open' }, {}, true],
    ['content resident here', 'eu', { kind: 'in-region', residency: gdpr }, {}, true],
    ['content of another region', 'us', { kind: 'via-home-tier', residency: gdpr }, {}, false],
    ['a tag pinned here', 'eu', { kind: 'open' }, { 'cache-tag': 'eu-cache' }, true],
    ['a tag pinned elsewhere', 'us', { kind: 'open' }, { 'cache-tag': 'eu-cache' }, false],
    ['a tag served only elsewhere', 'eu', { kind: 'open' }, { 'cache-tag': 'sg-only' }, false],
  ] as const)('%s: %s', ([, region, residency, fields, expected], { expect }) => {
    expect(mayStoreHere(edgeIn(region, residency), new Headers(fields))).toBe(expected)
  })
})
