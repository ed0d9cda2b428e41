/**
 * The one list of unkeyed override fields: what it drops, and what it must never drop.
 * @see origin/poisoning-headers.ts
 */
import { describe, it } from 'vitest'
import { CLIENT_IP_HEADERS } from '../../origin/forwarded-headers'
import {
  dropUnkeyedOverrides,
  isUnkeyedOverride,
  UNKEYED_OVERRIDE_HEADERS,
  VARY_FIELDS_KEPT,
} from '../../origin/poisoning-headers'

describe('unkeyed override fields', () => {
  it.for([
    'X-Original-Host',
    'X-Forwarded-Prefix',
    'X-Forwarded-Port',
    'X-Forwarded-Path',
    'X-Forwarded-URI',
    'X-Envoy-Original-Path',
    'X-Backend-Host',
    'X-Original-Method',
    'X-Original-URL',
    'X-Rewrite-URL',
    'X-HTTP-Method-Override',
    'x-middleware-prefetch',
    'x-middleware-subrequest',
    'x-invoke-path',
    'x-now-route-matches',
    'x-nuxt-no-ssr',
  ])('lists %s', (name, { expect }) => {
    expect(isUnkeyedOverride(name)).toBe(true)
  })

  it.for(VARY_FIELDS_KEPT)('never lists %s, which apps declare in Vary', (name, { expect }) => {
    expect(isUnkeyedOverride(name)).toBe(false)
  })

  it('lists no field the CDN sets itself from the connection or the URL', ({ expect }) => {
    for (const name of ['x-forwarded-for', 'x-real-ip', 'true-client-ip', 'x-forwarded-proto']) {
      expect(isUnkeyedOverride(name)).toBe(false)
    }
  })

  it('keeps the list lower-case and free of duplicates', ({ expect }) => {
    expect(UNKEYED_OVERRIDE_HEADERS.every((n) => n === n.toLowerCase())).toBe(true)
    expect(new Set(UNKEYED_OVERRIDE_HEADERS).size).toBe(UNKEYED_OVERRIDE_HEADERS.length)
    expect(new Set(CLIENT_IP_HEADERS).size).toBe(CLIENT_IP_HEADERS.length)
  })

  it('drops listed fields and keeps the rest and the ones the route keys on', ({ expect }) => {
    const headers = new Headers({
      'x-original-host': 'evil.example',
      'x-forwarded-prefix': '/evil',
      'x-middleware-prefetch': '1',
      rsc: '1',
      'next-router-state-tree': '%5B%5D',
      accept: 'text/html',
    })
    dropUnkeyedOverrides(headers, ['X-Forwarded-Prefix'])
    expect([...headers.keys()].sort()).toEqual([
      'accept',
      'next-router-state-tree',
      'rsc',
      'x-forwarded-prefix',
    ])
  })
})
