import { describe, it } from 'vitest'
import {
  EDGE_L1_FIELD,
  edgeL1Field,
  edgeL1Refusal,
  L1_NOT_ADMITTED,
  L1_TIER_ONLY,
} from '../../../edge-cache/tier/protocol'

describe('the edge-l1 field', () => {
  it('is an internal field name the edge strips', ({ expect }) => {
    expect(EDGE_L1_FIELD).toBe('edge-l1')
  })

  it('maps the edge-l1 field to the edge’s decision', ({ expect }) => {
    expect(edgeL1Refusal('no-store')).toBe('tier-only')
    expect(edgeL1Refusal(L1_NOT_ADMITTED)).toBe('l1-not-admitted')
    expect(edgeL1Refusal(null)).toBeUndefined()
    expect(edgeL1Refusal('something else')).toBeUndefined()
  })

  it.for([
    { tierOnly: true, frequency: 5, length: '10', field: L1_TIER_ONLY },
    { tierOnly: false, frequency: 1, length: '10', field: undefined },
    { tierOnly: false, frequency: 1, length: '2000000', field: L1_NOT_ADMITTED },
    { tierOnly: false, frequency: 2, length: '2000000', field: undefined },
    { tierOnly: false, frequency: 1, length: null, field: L1_NOT_ADMITTED },
    { tierOnly: false, frequency: 1, length: 'junk', field: L1_NOT_ADMITTED },
    { tierOnly: false, frequency: 2, length: null, field: undefined },
  ])(
    'tier-only $tierOnly, frequency $frequency, length $length → $field',
    ({ tierOnly, frequency, length, field }, { expect }) => {
      expect(edgeL1Field(tierOnly, frequency, length, 1024 * 1024)).toBe(field)
    }
  )

  it('round-trips: what a shard writes, the edge reads as a refusal', ({ expect }) => {
    expect(edgeL1Refusal(edgeL1Field(true, 1, '1', 1024) ?? null)).toBe('tier-only')
    expect(edgeL1Refusal(edgeL1Field(false, 1, null, 1024) ?? null)).toBe('l1-not-admitted')
    expect(edgeL1Refusal(edgeL1Field(false, 1, '1', 1024) ?? null)).toBeUndefined()
  })
})
