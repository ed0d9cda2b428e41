import { describe, it } from 'vitest'
import { NO_GRANTS } from '../../../origin/dependencies'
import {
  byLongestPrefix,
  type EdgeConfig,
  resolveRoute,
  type ZoneConfig,
} from '../../../workers/config/edge-config'

function zone(name: string, hosts: string[], prefixes: string[]): ZoneConfig {
  return {
    name,
    hosts,
    origins: new Map([['o', { kind: 'http', url: 'http://origin.test' }]]),
    routes: prefixes
      .map((pathPrefix) => ({
        name: pathPrefix,
        spec: { pathPrefix, origin: 'o', bypass: false, tieredCache: true, allowSetCookie: false },
      }))
      .sort(byLongestPrefix),
    residencyRules: [],
    grants: NO_GRANTS,
  }
}

const config: EdgeConfig = {
  zones: [
    zone('shop', ['shop.test'], ['/', '/static/', '/static/img/', '/api']),
    zone('wild', ['*.wild.test'], ['/']),
    // Proxy mode's zone (workers/config/proxy-zone.ts): the catch-all.
    zone('default', ['*'], ['/']),
  ],
}

describe('resolveRoute', () => {
  it.for([
    ['shop.test', '/index.html', 'shop', '/', '/index.html'],
    ['SHOP.test', '/static/app.css', 'shop', '/static/', '/app.css'],
    ['shop.test', '/static/img/a.png', 'shop', '/static/img/', '/a.png'],
    ['shop.test', '/staticfile', 'shop', '/', '/staticfile'],
    // A prefix matches whole segments, with or without its trailing slash.
    ['shop.test', '/static', 'shop', '/static/', '/'],
    ['shop.test', '/api', 'shop', '/api', '/'],
    ['shop.test', '/api/users', 'shop', '/api', '/users'],
    ['shop.test', '/apiary/bees', 'shop', '/', '/apiary/bees'],
    ['a.wild.test', '/x', 'wild', '/', '/x'],
    ['elsewhere.test', '/x', 'default', '/', '/x'],
  ] as const)(
    'routes %s%s to zone %s route %s (origin path %s)',
    ([host, path, zoneName, route, originPath], { expect }) => {
      const resolved = resolveRoute(config, host, path)
      expect(resolved?.zone).toBe(zoneName)
      expect(resolved?.route).toBe(route)
      expect(resolved?.originPath).toBe(originPath)
    }
  )

  it('finds nothing for an unknown host without a catch-all', ({ expect }) => {
    expect(
      resolveRoute({ zones: [zone('shop', ['shop.test'], ['/'])] }, 'x.test', '/')
    ).toBeUndefined()
  })

  it('reads a host with a trailing dot as the host itself', ({ expect }) => {
    const trap = zone('trap', ['*.'], ['/'])
    const zones = { zones: [trap, ...config.zones] }
    expect(resolveRoute(zones, 'shop.test.', '/')?.zone).toBe('shop')
  })

  it('gives a host to the longest wildcard, whatever the order of zones', ({ expect }) => {
    const wide = zone('wide', ['*.test'], ['/'])
    expect(resolveRoute({ zones: [wide, ...config.zones] }, 'a.wild.test', '/')?.zone).toBe('wild')
    expect(resolveRoute({ zones: [...config.zones, wide] }, 'a.wild.test', '/')?.zone).toBe('wild')
    expect(resolveRoute({ zones: [wide, ...config.zones] }, 'a.other.test', '/')?.zone).toBe('wide')
  })

  it('prefers a configured zone over the proxy catch-all', ({ expect }) => {
    expect(resolveRoute(config, 'shop.test', '/')?.zone).toBe('shop')
  })
})
