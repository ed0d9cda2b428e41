import { describe, it } from 'vitest'
import { configFileSchema, describeIssues } from '../../../schemas/api/config-file'

const origin = { kind: 'http', url: 'http://127.0.0.1:9000' }

function issues(file: unknown): string[] {
  const parsed = configFileSchema.safeParse(file)
  return parsed.success ? [] : describeIssues(parsed.error.issues)
}

describe('configFileSchema', () => {
  it('fills defaults the way the API stores records', ({ expect }) => {
    const parsed = configFileSchema.parse({
      zones: {
        demo: {
          hosts: ['Demo.Test'],
          origins: { web: origin },
          routes: { all: { origin: 'web' } },
        },
      },
    })
    expect(parsed.zones.demo).toEqual({
      hosts: ['demo.test'],
      origins: { web: origin },
      routes: {
        all: {
          pathPrefix: '/',
          origin: 'web',
          bypass: false,
          tieredCache: true,
          allowSetCookie: false,
        },
      },
      residencyRules: {},
    })
  })

  it.for([
    {
      case: 'a field of a record',
      file: {
        zones: {
          d: {
            hosts: ['d.test'],
            routes: { r: { pathPrefix: 'x', origin: 'o' } },
            origins: { o: origin },
          },
        },
      },
      expected: ['zones.d.routes.r.pathPrefix: must start with /'],
    },
    {
      case: 'a route to an origin the zone lacks',
      file: { zones: { d: { hosts: ['d.test'], routes: { r: { origin: 'ghost' } } } } },
      expected: ['zones.d.routes.r.origin: origin ghost is not defined in this zone'],
    },
    {
      case: 'a host in two zones',
      file: { zones: { a: { hosts: ['x.test'] }, b: { hosts: ['x.test'] } } },
      expected: ['zones.b.hosts.0: host x.test is also listed by zone a'],
    },
    {
      case: 'a misspelt key',
      file: { zones: { d: { hosts: ['d.test'], residency_rules: {} } } },
      expected: ['zones.d: Unrecognized key: "residency_rules"'],
    },
    {
      case: 'a residency rule with neither prefix nor tag',
      file: {
        zones: {
          d: {
            hosts: ['d.test'],
            residencyRules: { r: { region: 'eu', mode: 'serve-in-region' } },
          },
        },
      },
      expected: ['zones.d.residencyRules.r.pathPrefix: pathPrefix or tag is required'],
    },
  ])('names the path of $case', ({ file, expected }, { expect }) => {
    expect(issues(file)).toEqual(expected)
  })
})
