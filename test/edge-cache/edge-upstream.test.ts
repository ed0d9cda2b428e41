import { describe, it } from 'vitest'
import { L1_MAX_STREAMED_BYTES } from '../../edge-cache/edge-request'
import { rangeForTier, residencyOf } from '../../edge-cache/edge-upstream'

describe('rangeForTier', () => {
  it('hands a plain GET range to the tier with the L1 bound as its minimum size', ({ expect }) => {
    const headers = new Headers({ range: 'bytes=100-199', 'if-range': '"v1"' })
    expect(rangeForTier('GET', headers)).toEqual({
      value: 'bytes=100-199',
      ifRange: '"v1"',
      minSize: L1_MAX_STREAMED_BYTES,
    })
  })

  it.for([
    ['HEAD', { range: 'bytes=0-1' }],
    ['GET', {}],
    ['GET', { range: 'bytes=0-1', 'if-none-match': '"a"' }],
    ['GET', { range: 'bytes=0-1', 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' }],
  ] as const)('keeps the range at the edge for %s %j', ([method, fields], { expect }) => {
    expect(rangeForTier(method, new Headers(fields))).toBeUndefined()
  })
})

describe('residencyOf', () => {
  const residency = { region: 'eu', mode: 'cache-in-region', rule: 'gdpr' } as const

  it('tells the tier nothing for open content, the residency otherwise', ({ expect }) => {
    expect(residencyOf({ kind: 'open' })).toBeUndefined()
    expect(residencyOf({ kind: 'in-region', residency })).toEqual(residency)
    expect(residencyOf({ kind: 'via-home-tier', residency })).toEqual(residency)
  })
})
