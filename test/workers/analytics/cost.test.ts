import { describe, it } from 'vitest'
import { parseSettings, SettingsError } from '../../../schemas/settings'
import { costSaved, egressRate } from '../../../workers/analytics/cost'

/** The rates as the Worker reads them: ORIGIN_EGRESS_USD_PER_GB through the settings schema. */
function parseEgressRates(text: string) {
  return parseSettings({ ORIGIN_EGRESS_USD_PER_GB: text }).originEgressUsdPerGb
}

describe('egress rates', () => {
  it('picks zone/origin over the kind, and 0 for what is not configured', ({ expect }) => {
    const rates = parseEgressRates('r2=0, s3=0.09, http=0.08, shop/cheap=0.01')
    expect(egressRate(rates, 'shop', 's3:assets')).toBe(0.09)
    expect(egressRate(rates, 'shop', 'http:cheap')).toBe(0.01)
    expect(egressRate(rates, 'other', 'http:cheap')).toBe(0.08)
    expect(egressRate(rates, 'shop', 'r2:media')).toBe(0)
    expect(egressRate(parseEgressRates(''), 'shop', 's3:x')).toBe(0)
  })

  it.for(['s3', 's3=', 's3=-1', 's3=abc', '=1'])('rejects %j', (text, { expect }) => {
    expect(() => parseEgressRates(text)).toThrow(SettingsError)
  })
})

describe('costSaved', () => {
  it('prices the bytes each cache layer served, per region and origin', ({ expect }) => {
    const rates = parseEgressRates('s3=0.09,r2=0')
    const saved = costSaved(
      'shop',
      [
        { region: 'eu', origin: 's3:a', layer: 'l1', bytesToClient: 2e9 },
        { region: 'eu', origin: 's3:a', layer: 'tier', bytesToClient: 1e9 },
        { region: 'eu', origin: 's3:a', layer: 'origin', bytesToClient: 5e9 },
        { region: 'us', origin: 'r2:b', layer: 'l1', bytesToClient: 7e9 },
      ],
      rates
    )
    expect(saved.rows).toEqual([
      {
        region: 'eu',
        origin: 's3:a',
        usdPerGb: 0.09,
        bytesAvoided: { l1: 2e9, tier: 1e9 },
        savedUsd: expect.closeTo(0.27, 10),
      },
      {
        region: 'us',
        origin: 'r2:b',
        usdPerGb: 0,
        bytesAvoided: { l1: 7e9, tier: 0 },
        savedUsd: 0,
      },
    ])
    expect(saved.totalUsd).toBeCloseTo(0.27, 10)
  })
})
