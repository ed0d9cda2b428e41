/**
 * Properties of every schema the admin API validates request bodies (and names in paths) with:
 * zones, origins, routes, residency rules, tokens, purges, the config file of `config:apply`.
 * (a) Whatever JSON arrives, `safeParse` answers, promptly, and never throws or pollutes a
 * prototype. (b) A valid body parses and survives the store round trip: serialized into D1 and
 * parsed again by the edge, it is accepted unchanged. (c) A targeted invalid mutation is refused
 * with an issue whose path names the field it broke.
 */
import fc from 'fast-check'
import { describe, type ExpectStatic, it } from 'vitest'
import type { z } from 'zod'
import { auditQuerySchema, createTokenSchema, TOKEN_SCOPES } from '../../schemas/api/admin'
import {
  configNameSchema,
  originSpecSchema,
  residencyRuleSpecSchema,
  routeSpecSchema,
  zoneSpecSchema,
} from '../../schemas/api/config'
import { configFileSchema, describeIssues } from '../../schemas/api/config-file'
import { planApply } from '../../schemas/api/config-plan'
import { MAX_PURGE_ITEMS, purgeBodySchema, surrogateKeySchema } from '../../schemas/api/purge'
import { canonicalZoneHost } from '../../schemas/hosts'

/** Each body schema, by the resource prefix the admin API gives its field paths. */
const BODY_SCHEMAS: readonly (readonly [string, z.ZodType])[] = [
  ['zones', zoneSpecSchema],
  ['origins', originSpecSchema],
  ['routes', routeSpecSchema],
  ['residency-rules', residencyRuleSpecSchema],
  ['tokens', createTokenSchema],
  ['purge', purgeBodySchema],
  ['config file', configFileSchema],
]

/**
 * A parse of a few KiB of JSON takes microseconds, of megabyte strings milliseconds; a regex
 * that backtracks on them takes minutes. The bounds leave room for a slow, busy machine.
 */
const PARSE_BUDGET_MS = 250
const HUGE_PARSE_BUDGET_MS = 1000

/** Every key some body schema knows, so that arbitrary bodies get past the first check. */
const KNOWN_KEYS = [
  ...['hosts', 'kind', 'binding', 'prefix', 'regions', 'resilience', 'retries', 'backoffBaseMs'],
  ...['backoffMaxMs', 'failureThreshold', 'coolDownMs', 'url', 'timeoutMs', 'hostHeader'],
  ...['bucket', 'region', 'endpoint', 'forcePathStyle', 'accessKeyIdSecret', 'eu', 'us', 'apac'],
  ...['secretAccessKeySecret', 'pathPrefix', 'origin', 'bypass', 'tieredCache', 'archival'],
  ...['allowSetCookie', 'restoreDays', 'restoreTier', 'restoreWindowSeconds', 'tag', 'mode'],
  ...['scopes', 'zones', 'description', 'files', 'tags', 'prefixes', 'purge_everything', 'soft'],
  ...['headers', 'origins', 'routes', 'residencyRules', '$schema'],
  ...['errorRatio', 'minRequests', 'windowMs', 'failureStatuses'],
]
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then']

/** What a hostile `__proto__` value carries: if it ever reaches a prototype, it shows. */
const POLLUTION = { polluted: true }

function parseWithin(schema: z.ZodType, input: unknown) {
  const started = performance.now()
  const result = schema.safeParse(input)
  return { result, ms: performance.now() - started }
}

/** Asserts (a) for one input: an answer within budget, failures naming paths, no pollution. */
function expectTotal(schema: z.ZodType, input: unknown, expect: ExpectStatic): void {
  const before = JSON.stringify(input, jsonSafe)
  const { result, ms } = parseWithin(schema, input)
  expect(ms).toBeLessThan(PARSE_BUDGET_MS)
  if (result.success) {
    expectPlainTree(result.data, expect)
  } else {
    expect(result.error.issues.length).toBeGreaterThan(0)
    for (const line of describeIssues(result.error.issues)) expect(line).toEqual(expect.any(String))
  }
  // Parsing reads its input; it never rewrites it.
  expect(JSON.stringify(input, jsonSafe)).toBe(before)
  expect(Reflect.get({}, 'polluted')).toBeUndefined()
  expect(Object.keys(Object.prototype)).toEqual([])
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value
}

/** Every object of a parse result is an ordinary object or array: no prototype was swapped. */
function expectPlainTree(value: unknown, expect: ExpectStatic): void {
  if (typeof value !== 'object' || value === null) return
  expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(value))
  for (const child of Object.values(value)) expectPlainTree(child, expect)
}

// ---- (a) arbitrary input ---------------------------------------------------------------------

/** Strings a client may send: any UTF-16, lone surrogates included. */
const anyUnicode = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 40,
  })
)
const anyKey = fc.oneof(fc.constantFrom(...KNOWN_KEYS, ...HOSTILE_KEYS), anyUnicode)
const scalar = fc.oneof(
  fc.constantFrom('r2', 'http', 's3', 'eu', 'purge', 'config:read', '/', true, false, null),
  fc.integer(),
  fc.double(),
  anyUnicode
)

/**
 * The text of a JSON object built from known, hostile and unicode keys. Parsed with JSON.parse,
 * as the admin API does, `"__proto__"` becomes an own property, which object literals cannot do.
 */
const { objectText } = fc.letrec<{ objectText: string; valueText: string }>((tie) => ({
  objectText: fc
    .array(fc.tuple(anyKey, tie('valueText')), { maxLength: 6 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  valueText: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar.map((v) => JSON.stringify(v)),
    fc.constant(JSON.stringify(POLLUTION)),
    tie('objectText'),
    fc.array(tie('valueText'), { maxLength: 4 }).map((values) => `[${values.join(',')}]`)
  ),
}))

/** Structures thousands of levels deep, under a key a schema reads. */
const deepNesting = fc
  .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom(...KNOWN_KEYS), fc.boolean())
  .map(([depth, key, arrays]) =>
    JSON.parse(
      arrays
        ? `{${JSON.stringify(key)}:${'['.repeat(depth)}${']'.repeat(depth)}}`
        : `${`{${JSON.stringify(key)}:`.repeat(depth)}1${'}'.repeat(depth)}`
    )
  )

/** Megabyte strings in every field, shaped to make a careless regex backtrack. */
const hugeStrings = fc
  .tuple(
    fc.constantFrom('a', '/', '..', ' ', 'A_', 'é', '\u0130', 'http://', '%'),
    fc.integer({ min: 100_000, max: 1_000_000 }),
    fc.constantFrom('', '!', '@', '/', '\n', '\u0000')
  )
  .map(([unit, length, tail]) => {
    const text = unit.repeat(Math.ceil(length / unit.length)) + tail
    const body: Record<string, unknown> = { kind: 'http', purge_everything: true }
    for (const key of KNOWN_KEYS) body[key] ??= text
    body.hosts = [text]
    body.tags = [text]
    body.files = [text, { url: text, headers: { [text]: text } }]
    body.scopes = [text]
    body.zones = [text]
    return body
  })

describe('(a) any input', () => {
  it.for(BODY_SCHEMAS)(
    '%s: safeParse answers any JSON value and never throws',
    ([, schema], { expect }) => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 5 }), (input) => expectTotal(schema, input, expect)),
        { numRuns: 300 }
      )
    }
  )

  it.for(BODY_SCHEMAS)(
    '%s: answers bodies of known, hostile and unicode keys without polluting a prototype',
    ([, schema], { expect }) => {
      fc.assert(
        fc.property(objectText, (text) => expectTotal(schema, JSON.parse(text), expect)),
        { numRuns: 300 }
      )
    }
  )

  it.for(BODY_SCHEMAS)(
    '%s: answers non-JSON values (the anything-arbitrary)',
    ([, schema], { expect }) => {
      const anything = fc.anything({
        key: anyKey,
        maxDepth: 3,
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withNullPrototype: true,
        withObjectString: true,
        withSet: true,
        withSparseArray: true,
        withTypedArray: true,
      })
      fc.assert(
        fc.property(anything, (input) => {
          const { result, ms } = parseWithin(schema, input)
          expect(ms).toBeLessThan(PARSE_BUDGET_MS)
          if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0)
          expect(Reflect.get({}, 'polluted')).toBeUndefined()
        }),
        { numRuns: 200 }
      )
    }
  )

  it.for(BODY_SCHEMAS)('%s: refuses deep nesting promptly', ([, schema], { expect }) => {
    fc.assert(
      fc.property(deepNesting, (input) => {
        const { result, ms } = parseWithin(schema, input)
        expect(ms).toBeLessThan(PARSE_BUDGET_MS)
        expect(result.success).toBe(false)
      }),
      { numRuns: 15 }
    )
  })

  it.for(BODY_SCHEMAS)('%s: refuses megabyte strings promptly', ([, schema], { expect }) => {
    fc.assert(
      fc.property(hugeStrings, (input) => {
        const { result, ms } = parseWithin(schema, input)
        expect(ms).toBeLessThan(HUGE_PARSE_BUDGET_MS)
        expect(result.success).toBe(false)
      }),
      { numRuns: 10 }
    )
  })

  it('answers any path segment and query string for names, surrogate keys and the audit query', ({
    expect,
  }) => {
    fc.assert(
      fc.property(anyUnicode, fc.dictionary(anyKey, anyUnicode), (segment, query) => {
        expectTotal(configNameSchema, segment, expect)
        expectTotal(surrogateKeySchema, segment, expect)
        expectTotal(auditQuerySchema, query, expect)
      }),
      { numRuns: 500 }
    )
  })
})

// ---- (b) valid bodies ------------------------------------------------------------------------

const configName = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/)
const bindingName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/)
const secretName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,127}$/)
const region = fc.constantFrom('eu' as const, 'us' as const, 'apac' as const)
/** At most `max` UTF-16 code units, as zod counts them. */
const unicodeUpTo = (min: number, max: number) =>
  fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => s.length <= max)
const requestPath = fc.oneof(fc.webPath(), unicodeUpTo(0, 60)).map((p) => `/${p}`)
const keyPrefix = unicodeUpTo(0, 60).filter((p) => !p.split('/').includes('..'))
const httpUrl = fc.webUrl({
  validSchemes: ['http', 'https'],
  withQueryParameters: true,
  withFragments: true,
})

/**
 * Characters whose case mapping is unusual: `İ` lower-cases to two code units, `ẞ` to `ß`,
 * the Kelvin sign to `k`. The zone schema makes hosts canonical (schemas/hosts.ts).
 */
const caseMapped = fc.constantFrom('a', 'Z', '.', '-', '\u0130', '\u1e9e', '\u212a', 'Σ', 'ς', 'ǅ')
const host = fc.oneof(
  fc.domain(),
  unicodeUpTo(1, 253),
  // Every length up to the bound, the bound itself most of all.
  fc
    .integer({ min: 1, max: 253 })
    .chain((n) => fc.string({ unit: caseMapped, minLength: n, maxLength: n }))
)

const resilience = fc.record(
  {
    retries: fc.integer({ min: 0, max: 5 }),
    backoffBaseMs: fc.integer({ min: 0, max: 10_000 }),
    backoffMaxMs: fc.integer({ min: 0, max: 60_000 }),
    failureThreshold: fc.integer({ min: 1, max: 1000 }),
    errorRatio: fc.double({ min: 0.01, max: 1, noNaN: true }),
    minRequests: fc.integer({ min: 1, max: 10_000 }),
    windowMs: fc.integer({ min: 1_000, max: 600_000 }),
    failureStatuses: fc.array(fc.integer({ min: 400, max: 599 }), { maxLength: 100 }),
    coolDownMs: fc.integer({ min: 10, max: 3_600_000 }),
  },
  { requiredKeys: [] }
)
const timeoutMs = fc.integer({ min: 100, max: 120_000 })
const perRegion = <T>(value: fc.Arbitrary<T>) =>
  fc.record({ eu: value, us: value, apac: value }, { requiredKeys: [] })

const r2Origin = fc.record(
  {
    kind: fc.constant('r2' as const),
    binding: bindingName,
    prefix: keyPrefix,
    regions: perRegion(fc.record({ binding: bindingName })),
    resilience,
  },
  { requiredKeys: ['kind', 'binding'] }
)
const httpOrigin = fc.record(
  {
    kind: fc.constant('http' as const),
    url: httpUrl,
    timeoutMs,
    hostHeader: fc.constantFrom('origin' as const, 'forwarded' as const),
    resilience,
  },
  { requiredKeys: ['kind', 'url'] }
)
const bucket = unicodeUpTo(3, 63)
const awsRegion = unicodeUpTo(1, 32)
const s3Origin = fc.record(
  {
    kind: fc.constant('s3' as const),
    bucket,
    region: awsRegion,
    endpoint: httpUrl,
    forcePathStyle: fc.boolean(),
    prefix: keyPrefix,
    accessKeyIdSecret: secretName,
    secretAccessKeySecret: secretName,
    timeoutMs,
    regions: perRegion(
      fc.record({ bucket, region: awsRegion, endpoint: httpUrl }, { requiredKeys: ['bucket'] })
    ),
    resilience,
  },
  { requiredKeys: ['kind', 'bucket', 'region', 'accessKeyIdSecret', 'secretAccessKeySecret'] }
)
const origin = fc.oneof(r2Origin, httpOrigin, s3Origin)

/** A route; one with archival paths keeps the tier, which coordinates their restores. */
const routeTo = (originName: fc.Arbitrary<string>) =>
  fc
    .record(
      {
        pathPrefix: requestPath,
        origin: originName,
        bypass: fc.boolean(),
        tieredCache: fc.boolean(),
        allowSetCookie: fc.boolean(),
        archival: fc.record(
          {
            prefix: requestPath,
            restoreDays: fc.integer({ min: 1, max: 365 }),
            restoreTier: fc.constantFrom('Expedited', 'Standard', 'Bulk'),
            restoreWindowSeconds: fc.integer({ min: 1, max: 7 * 86_400 }),
          },
          { requiredKeys: ['prefix'] }
        ),
      },
      { requiredKeys: ['origin'] }
    )
    .map(({ tieredCache, ...rest }) =>
      rest.archival !== undefined || tieredCache === undefined ? rest : { ...rest, tieredCache }
    )
const route = routeTo(configName)

/** A cache tag: 1 to 1024 printable ASCII characters. */
const cacheTag = fc.string({ minLength: 1, maxLength: 200 })
const residencyRule = fc
  .record(
    {
      pathPrefix: requestPath,
      tag: cacheTag,
      region,
      mode: fc.constantFrom('cache-in-region', 'serve-in-region'),
    },
    { requiredKeys: ['region', 'mode'] }
  )
  .filter((rule) => rule.pathPrefix !== undefined || rule.tag !== undefined)

const token = fc.record(
  {
    scopes: fc.array(fc.constantFrom(...TOKEN_SCOPES), { minLength: 1, maxLength: 6 }),
    zones: fc.array(configName, { minLength: 1, maxLength: 100 }),
    description: unicodeUpTo(0, 256),
  },
  { requiredKeys: ['scopes'] }
)

const items = <T>(item: fc.Arbitrary<T>) =>
  fc.array(item, { minLength: 1, maxLength: MAX_PURGE_ITEMS })
const purgeHost = fc
  .tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }))
  .map(([name, port]) => (port === undefined ? name : `${name}:${port}`))
const headerName = fc.string({ minLength: 1 }).filter((k) => !HOSTILE_KEYS.includes(k))
const purgeKind = fc.oneof(
  fc.record({
    files: items(
      fc.oneof(
        httpUrl,
        fc.record(
          { url: httpUrl, headers: fc.dictionary(headerName, fc.string(), { maxKeys: 3 }) },
          { requiredKeys: ['url'] }
        )
      )
    ),
  }),
  fc.record({ tags: items(cacheTag) }),
  fc.record({
    prefixes: items(
      fc.tuple(purgeHost, fc.webPath()).map(([h, p]) => `${h}/${p.replace(/^\//, '')}`)
    ),
  }),
  fc.record({ hosts: items(purgeHost) }),
  fc.constant({ purge_everything: true as const })
)
const purge = fc
  .tuple(purgeKind, fc.option(fc.boolean(), { nil: undefined }))
  .map(([body, soft]) => (soft === undefined ? body : { ...body, soft }))

/** A whole config file: hosts distinct across zones, routes naming origins of their zone. */
const configFile = fc.uniqueArray(configName, { maxLength: 3 }).chain((zoneNames) =>
  fc
    .tuple(
      ...zoneNames.map((zone) =>
        fc.dictionary(configName, origin, { maxKeys: 3 }).chain((origins) => {
          const names = Object.keys(origins)
          return fc.record(
            {
              // The zone's name is each host's first label, so no two zones share one.
              hosts: fc.array(
                fc
                  .domain()
                  .map((d) => `${zone}.${d}`)
                  .filter((h) => h.length <= 253),
                { minLength: 1, maxLength: 3 }
              ),
              origins: fc.constant(origins),
              routes:
                names.length === 0
                  ? fc.constant({})
                  : fc.dictionary(configName, routeTo(fc.constantFrom(...names)), { maxKeys: 3 }),
              residencyRules: fc.dictionary(configName, residencyRule, { maxKeys: 2 }),
            },
            { requiredKeys: ['hosts', 'origins'] }
          )
        })
      )
    )
    .map((zones) => ({ zones: Object.fromEntries(zoneNames.map((n, i) => [n, zones[i]])) }))
)

/** Parses, stores as JSON (as D1 does) and parses again: the edge must read what was written. */
function expectStoreRoundTrip(schema: z.ZodType, body: unknown, expect: ExpectStatic): unknown {
  const first = schema.safeParse(body)
  if (!first.success) expect.unreachable(describeIssues(first.error.issues).join('\n'))
  const stored: unknown = JSON.parse(JSON.stringify(first.data))
  const again = schema.safeParse(stored)
  if (!again.success) expect.unreachable(describeIssues(again.error.issues).join('\n'))
  expect(again.data).toEqual(first.data)
  return first.data
}

describe('(b) valid bodies', () => {
  it('zones: stores a host only in canonical form, which the edge re-reads unchanged', ({
    expect,
  }) => {
    fc.assert(
      fc.property(fc.record({ hosts: fc.array(host, { minLength: 1, maxLength: 4 }) }), (body) => {
        const parsed = zoneSpecSchema.safeParse(body)
        if (!parsed.success) return
        // Otherwise the edge, which serves only canonical hosts, would ignore a stored one.
        for (const h of parsed.data.hosts) expect(canonicalZoneHost(h)).toBe(h)
        expectStoreRoundTrip(zoneSpecSchema, body, expect)
      }),
      { numRuns: 300 }
    )
  })

  it('zones: accepts a host name in any case, with or without its trailing dot, as one host', ({
    expect,
  }) => {
    const name = fc.domain().filter((d) => d.length <= 253 && !/(^|\.)xn--/.test(d))
    fc.assert(
      fc.property(name, fc.boolean(), fc.boolean(), (d, upper, dot) => {
        const spelled = `${upper ? d.toUpperCase() : d}${dot ? '.' : ''}`
        expect(zoneSpecSchema.parse({ hosts: [spelled] }).hosts).toEqual([d])
      }),
      { numRuns: 300 }
    )
  })

  const kept: readonly (readonly [string, z.ZodType, fc.Arbitrary<object>])[] = [
    ['origins', originSpecSchema, origin],
    ['routes', routeSpecSchema, route],
    ['residency-rules', residencyRuleSpecSchema, residencyRule],
    ['purge', purgeBodySchema, purge],
  ]
  it.for(kept)(
    '%s: keeps every field given and re-reads the stored form unchanged',
    ([, schema, body], { expect }) => {
      fc.assert(
        fc.property(body, (b) => {
          expect(expectStoreRoundTrip(schema, b, expect)).toMatchObject(b)
        }),
        { numRuns: 200 }
      )
    }
  )

  it('tokens: grants each scope and zone once, sorted, and re-reads them unchanged', ({
    expect,
  }) => {
    fc.assert(
      fc.property(token, (body) => {
        const parsed = expectStoreRoundTrip(createTokenSchema, body, expect)
        expect(parsed).toMatchObject({
          scopes: [...new Set(body.scopes)].sort(),
          ...(body.zones && { zones: [...new Set(body.zones)].sort() }),
          ...(body.description !== undefined && { description: body.description }),
        })
      }),
      { numRuns: 200 }
    )
  })

  it('config file: accepts it, and every step config:apply plans is a valid, stable body', ({
    expect,
  }) => {
    const endpoint: Record<string, z.ZodType> = {
      origins: originSpecSchema,
      routes: routeSpecSchema,
      'residency-rules': residencyRuleSpecSchema,
    }
    fc.assert(
      fc.property(configFile, (file) => {
        const parsed = configFileSchema.parse(expectStoreRoundTrip(configFileSchema, file, expect))
        const steps = planApply(parsed, { zones: {} })
        for (const step of steps) {
          const segment = step.path.split('/')[3]
          const schema = segment === undefined ? zoneSpecSchema : endpoint[segment]
          if (!schema) return expect.unreachable(`no schema for ${step.path}`)
          // The admin API stores the body it is sent; it must parse to itself.
          expect(schema.parse(step.body), step.path).toEqual(step.body)
        }
        expect(planApply(parsed, parsed)).toEqual([])
      }),
      { numRuns: 100 }
    )
  })
})

// ---- (c) targeted invalid mutations ----------------------------------------------------------

type Path = readonly (string | number)[]

/** A copy of `body` with `value` at `path`, creating the objects on the way. */
function withValue(body: object, path: Path, value: unknown): unknown {
  const copy: unknown = structuredClone(body)
  let node = copy
  path.forEach((key, i) => {
    if (typeof node !== 'object' || node === null) throw new TypeError(`no object at ${key}`)
    if (i === path.length - 1) {
      Reflect.set(node, key, value)
    } else {
      if (typeof Reflect.get(node, key) !== 'object') Reflect.set(node, key, {})
      node = Reflect.get(node, key)
    }
  })
  return copy
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })
)
const notAString = wrongType.filter((v) => typeof v !== 'string')
const notABoolean = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]))
const outOfRange = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min: min - 1_000_000, max: min - 1 }),
    fc.integer({ min: max + 1, max: max + 1_000_000 }),
    fc.double({ min, max, noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.integer({ min, max }).map(String)
  )
const badName = fc.oneof(
  fc.string().filter((s) => !NAME.test(s)),
  fc.stringMatching(/^[a-z0-9][a-z0-9_-]{64,80}$/),
  fc.stringMatching(/^[A-Z][a-z0-9]{0,8}$/),
  notAString
)
const badBinding = fc.oneof(
  fc.string().filter((s) => !/^[A-Z][A-Z0-9_]*$/.test(s)),
  notAString
)
const notInEnum = (...allowed: string[]) =>
  fc.oneof(
    fc.string().filter((s) => !allowed.includes(s)),
    fc.constantFrom(...allowed.map((a) => a.toUpperCase())),
    notAString
  )
const notHttpUrl = fc.oneof(
  fc.webUrl({ validSchemes: ['ftp', 'ws', 'file', 'javascript'] }),
  fc.constantFrom('', 'not a url', 'http:example.com', '//example.com/x', 'example.com'),
  notAString
)
/**
 * URLs that carry credentials as the URL parser (and so origin/http.ts) reads them, however the
 * authority is introduced: `http:///user:pw@host` parses as `http://user:pw@host`.
 */
const credentialedUrl = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTP', 'hTTps'),
    slashes: fc.constantFrom('//', '///', '////', '//\\', '//\\/', '///\\', '//\t/'),
    user: fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
    password: fc.option(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { nil: undefined }),
    host: fc.domain(),
    path: fc.webPath(),
  })
  .map(
    ({ scheme, slashes, user, password, host: h, path }) =>
      `${scheme}:${slashes}${user}${password === undefined ? '' : `:${password}`}@${h}${path}`
  )
  .filter((url) => {
    try {
      const parsed = new URL(url)
      return parsed.username !== '' || parsed.password !== ''
    } catch {
      return false
    }
  })
const tooLong = (max: number) =>
  fc.integer({ min: max + 1, max: max + 500 }).map((n) => 'a'.repeat(n))
const notPrintable = fc
  .tuple(fc.string(), fc.constantFrom('\n', '\t', '\u0000', 'é', '\u{1f600}', '\u007f'))
  .map(([s, c]) => `${s}${c}`)

/** One field to break: what the case is called, where the field is, what to put there. */
type Breakage = readonly [string, Path, fc.Arbitrary<unknown>]

interface Mutation {
  case: string
  schema: z.ZodType
  valid: fc.Arbitrary<object>
  path: Path
  bad: fc.Arbitrary<unknown>
}

function breaking(schema: z.ZodType, valid: fc.Arbitrary<object>, cases: Breakage[]): Mutation[] {
  return cases.map(([name, path, bad]) => ({ case: name, schema, valid, path, bad }))
}

const purgeOf = <K extends string>(kind: K, item: fc.Arbitrary<unknown>) =>
  fc.record({ [kind]: items(item) } as Record<K, fc.Arbitrary<unknown[]>>)
const zone = fc.record({ hosts: fc.array(fc.domain(), { minLength: 1 }) })
const tokenForZones = token.map((t) => ({ ...t, zones: t.zones ?? ['z'] }))
const badPathPrefix = fc.oneof(
  fc.string().filter((s) => !s.startsWith('/')),
  notAString
)

const MUTATIONS: Mutation[] = [
  ...breaking(zoneSpecSchema, zone, [
    ['zone hosts not an array', ['hosts'], notAString.filter((v) => !Array.isArray(v))],
    ['zone host of the wrong type', ['hosts', 0], notAString],
    ['zone host empty or too long', ['hosts', 0], fc.oneof(fc.constant(''), tooLong(253))],
  ]),
  ...breaking(originSpecSchema, origin, [
    ['origin of an unknown kind', ['kind'], notInEnum('r2', 'http', 's3')],
  ]),
  ...breaking(originSpecSchema, r2Origin, [
    ['r2 binding not a binding name', ['binding'], badBinding],
    [
      'r2 prefix with a .. segment',
      ['prefix'],
      fc.tuple(keyPrefix, keyPrefix).map(([a, b]) => `${a}/../${b}`),
    ],
    ['r2 regional binding not a binding name', ['regions', 'eu', 'binding'], badBinding],
    ['resilience coolDownMs out of range', ['resilience', 'coolDownMs'], outOfRange(10, 3_600_000)],
  ]),
  ...breaking(originSpecSchema, httpOrigin, [
    ['http url not http(s)', ['url'], notHttpUrl],
    ['http url with credentials', ['url'], credentialedUrl],
    ['http timeoutMs out of range', ['timeoutMs'], outOfRange(100, 120_000)],
    ['http hostHeader not in its enum', ['hostHeader'], notInEnum('origin', 'forwarded')],
    ['resilience retries out of range', ['resilience', 'retries'], outOfRange(0, 5)],
    ['resilience minRequests out of range', ['resilience', 'minRequests'], outOfRange(1, 10_000)],
    ['resilience windowMs out of range', ['resilience', 'windowMs'], outOfRange(1_000, 600_000)],
    [
      'resilience errorRatio not in (0, 1]',
      ['resilience', 'errorRatio'],
      fc.oneof(
        fc.double({ min: -1e6, max: 0, noNaN: true }),
        fc.double({ min: 1, max: 1e6, minExcluded: true, noNaN: true }),
        fc.constant('0.5')
      ),
    ],
  ]),
  ...breaking(originSpecSchema, s3Origin, [
    ['s3 bucket too short or long', ['bucket'], fc.oneof(fc.string({ maxLength: 2 }), tooLong(63))],
    ['s3 key secret not a secret name', ['accessKeyIdSecret'], badBinding],
    ['s3 endpoint not http(s)', ['endpoint'], notHttpUrl],
  ]),
  ...breaking(routeSpecSchema, route, [
    ['route origin not a name', ['origin'], badName],
    ['route pathPrefix not starting with /', ['pathPrefix'], badPathPrefix],
    ['route bypass not a boolean', ['bypass'], notABoolean],
    ['route archival restoreDays out of range', ['archival', 'restoreDays'], outOfRange(1, 365)],
  ]),
  ...breaking(residencyRuleSpecSchema, residencyRule, [
    ['residency region not in its enum', ['region'], notInEnum('eu', 'us', 'apac')],
    ['residency mode not in its enum', ['mode'], notInEnum('cache-in-region', 'serve-in-region')],
    ['residency tag not printable ASCII', ['tag'], notPrintable],
  ]),
  ...breaking(createTokenSchema, tokenForZones, [
    ['token scope unknown', ['scopes', 0], notInEnum(...TOKEN_SCOPES)],
    ['token zone not a name', ['zones', 0], badName],
    ['token description too long', ['description'], fc.oneof(tooLong(256), notAString)],
  ]),
  ...breaking(purgeBodySchema, purgeOf('tags', cacheTag), [
    [
      'purge tag not printable or too long',
      ['tags', 0],
      fc.oneof(notPrintable, tooLong(1024), fc.constant('')),
    ],
    ['purge soft not a boolean', ['soft'], notABoolean],
  ]),
  ...breaking(purgeBodySchema, purgeOf('hosts', purgeHost), [
    [
      'purge host not a host name',
      ['hosts', 0],
      fc.oneof(fc.constantFrom('a b', 'x/y', 'h:port', '', 'https://h.test'), notAString),
    ],
  ]),
  ...breaking(
    purgeBodySchema,
    purgeOf(
      'prefixes',
      purgeHost.map((h) => `${h}/`)
    ),
    [['purge prefix with a scheme or no path', ['prefixes', 0], fc.oneof(httpUrl, fc.domain())]]
  ),
]

describe('(c) targeted invalid mutations', () => {
  it.for(MUTATIONS)('refuses $case, naming the field', (mutation, { expect }) => {
    fc.assert(
      fc.property(mutation.valid, mutation.bad, (valid, bad) => {
        const body = withValue(valid, mutation.path, bad)
        const result = mutation.schema.safeParse(body)
        expect(result.success, JSON.stringify(body)).toBe(false)
        const paths = result.error?.issues.map((i) => i.path) ?? []
        expect(paths).toContainEqual(mutation.path)
      }),
      { numRuns: 100 }
    )
  })
})
