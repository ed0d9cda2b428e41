import { describe, expect, it } from 'vitest'
import { parseSettings, SETTING_VARIABLES, SettingsError, settingsOf } from '../../schemas/settings'

describe('settings defaults', () => {
  const defaults = parseSettings({})

  it.each([
    ['proxyOrigin', undefined],
    ['configTtlMs', 5000],
    ['originTimeoutMs', 10_000],
    ['tierJurisdictions', true],
    ['purgeStalenessMs', 50],
    ['purgeForwardedStalenessMs', 30_000],
    ['purgeTierLeaseMs', 1000],
    ['cloudflareZoneId', undefined],
    ['cloudflareApiBaseUrl', 'https://api.cloudflare.com/client/v4'],
    ['tierShardBudgetBytes', 1 << 30],
    ['tierR2ThresholdBytes', 8 << 20],
    ['tierL1SecondHitBytes', 1 << 20],
    ['analyticsFlushMs', 10_000],
    ['analyticsSource', 'stores'],
    ['analyticsRetentionMs', 7 * 86_400_000],
  ] as const)('%s defaults to %s', (key, expected) => {
    expect(defaults[key]).toEqual(expected)
  })

  it('treats an empty variable like an absent one, as wrangler.toml writes ""', () => {
    expect(
      parseSettings({ ORIGIN_URL: '', PURGE_STALENESS_MS: ' ', TIER_JURISDICTIONS: '' })
    ).toEqual(defaults)
  })

  it('gives no origin any secret, bucket or certificate by default', () => {
    expect(defaults.originAllowList).toEqual({ secret: [], bucket: [], certificate: [] })
    expect(defaults.originEgressUsdPerGb.size).toBe(0)
  })
})

describe('settings values and bounds', () => {
  it.each([
    ['PURGE_STALENESS_MS', '0', 'purgeStalenessMs', 0],
    ['PURGE_TIER_LEASE_MS', '0', 'purgeTierLeaseMs', 0],
    ['PURGE_STALENESS_MS', '60000', 'purgeStalenessMs', 60_000],
    ['ORIGIN_TIMEOUT_MS', '1', 'originTimeoutMs', 1],
    ['CONFIG_TTL_MS', '0', 'configTtlMs', 0],
    ['TIER_JURISDICTIONS', 'off', 'tierJurisdictions', false],
    ['ANALYTICS_SOURCE', 'engine', 'analyticsSource', 'engine'],
    ['ANALYTICS_RETENTION_DAYS', '1', 'analyticsRetentionMs', 86_400_000],
    ['ANALYTICS_FLUSH_MS', '1', 'analyticsFlushMs', 1],
    ['TIER_SHARD_BUDGET_BYTES', '0', 'tierShardBudgetBytes', 0],
    ['ORIGIN_URL', 'http://127.0.0.1:9000', 'proxyOrigin', 'http://127.0.0.1:9000'],
    ['CLOUDFLARE_ZONE_ID', ' abc ', 'cloudflareZoneId', 'abc'],
  ] as const)('%s=%s gives %s %s', (variable, text, key, expected) => {
    expect(parseSettings({ [variable]: text })[key]).toEqual(expected)
  })

  it('splits allow-lists on commas and white space', () => {
    const settings = parseSettings({
      ORIGIN_SECRETS: 'S3_KEY, S3_SECRET\nOTHER',
      ORIGIN_BUCKETS: 'ORIGIN_BUCKET',
    })
    expect(settings.originAllowList.secret).toEqual(['S3_KEY', 'S3_SECRET', 'OTHER'])
    expect(settings.originAllowList.bucket).toEqual(['ORIGIN_BUCKET'])
  })

  it('parses egress rates by kind and by origin', () => {
    const rates = parseSettings({
      ORIGIN_EGRESS_USD_PER_GB: 'r2=0, s3=0.09,shop/images=0.05',
    }).originEgressUsdPerGb
    expect([...rates]).toEqual([
      ['r2', 0],
      ['s3', 0.09],
      ['shop/images', 0.05],
    ])
  })

  it.each([
    ['PURGE_STALENESS_MS', '5O'],
    ['PURGE_STALENESS_MS', '-1'],
    ['PURGE_STALENESS_MS', '60001'],
    ['PURGE_STALENESS_MS', '1.5'],
    ['ORIGIN_TIMEOUT_MS', '0'],
    ['CONFIG_TTL_MS', '300001'],
    ['ANALYTICS_FLUSH_MS', '0'],
    ['ANALYTICS_RETENTION_DAYS', '0'],
    ['TIER_SHARD_BUDGET_BYTES', '1e400'],
    ['TIER_JURISDICTIONS', 'yes'],
    ['ANALYTICS_SOURCE', 'graphql'],
    ['ORIGIN_URL', 'ftp://origin.example'],
    ['ORIGIN_URL', 'not a url'],
    ['CLOUDFLARE_API_BASE_URL', 'api.cloudflare.com'],
    ['ORIGIN_EGRESS_USD_PER_GB', 's3=cheap'],
    ['ORIGIN_EGRESS_USD_PER_GB', 's3=-1'],
  ])('refuses %s=%s and names the variable', (variable, text) => {
    let thrown: unknown
    try {
      parseSettings({ [variable]: text })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(SettingsError)
    const problems = (thrown as SettingsError).problems
    expect(problems.map((p) => p.variable)).toEqual([variable])
    expect((thrown as SettingsError).message).toContain(JSON.stringify(text))
  })

  it('names every malformed variable at once', () => {
    expect(() => parseSettings({ CONFIG_TTL_MS: 'x', ORIGIN_TIMEOUT_MS: 'y' })).toThrow(
      /CONFIG_TTL_MS: .*ORIGIN_TIMEOUT_MS: /
    )
  })

  it('ignores bindings that are not text, such as a Durable Object namespace of the same shape', () => {
    expect(parseSettings({ CONFIG_TTL_MS: { binding: true } }).configTtlMs).toBe(5000)
  })

  it('parses an env once and hands every caller the same object', () => {
    const env = { PURGE_STALENESS_MS: '10' }
    expect(settingsOf(env)).toBe(settingsOf(env))
    expect(settingsOf(env).purgeStalenessMs).toBe(10)
  })

  it('covers every variable wrangler.toml declares', async () => {
    // wrangler.toml's [vars] and the schema must agree, or a setting is documented but never read.
    const { readFile } = await import('node:fs/promises')
    const toml = await readFile(new URL('../../wrangler.toml', import.meta.url), 'utf8')
    const vars = toml.split(/^\[vars\]$/m)[1]?.split(/^\[/m)[0] ?? ''
    const declared = [...vars.matchAll(/^([A-Z_0-9]+)\s*=/gm)].map((m) => m[1])
    expect([...declared].sort()).toEqual([...SETTING_VARIABLES].sort())
  })
})
