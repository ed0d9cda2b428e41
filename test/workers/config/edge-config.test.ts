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

  it('prefers a configured zone over the proxy catch-all', ({ expect }) => {
    expect(resolveRoute(config, 'shop.test', '/')?.zone).toBe('shop')
  })
})
