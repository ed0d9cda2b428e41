/**
 * Client-address fields are the CDN's, never the client's.
 * @see origin/forwarded-headers.ts
 */
import { describe, it } from 'vitest'
import {
  CLIENT_IP_HEADERS,
  connectingAddress,
  forwardedHeaders,
  isIpAddress,
} from '../../origin/forwarded-headers'

const spoofed = Object.fromEntries(CLIENT_IP_HEADERS.map((name) => [name, '6.6.6.6']))

describe('forwardedHeaders', () => {
  it('replaces every client-IP field a client sent with the connecting address', ({ expect }) => {
    const out = forwardedHeaders(
      new Headers({ ...spoofed, accept: 'text/html' }),
      { ip: '203.0.113.7', proto: 'https' },
      true
    )
    expect(Object.fromEntries(out)).toEqual({
      accept: 'text/html',
      'true-client-ip': '203.0.113.7',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-real-ip': '203.0.113.7',
    })
  })

  it('appends the connecting address to the client list when the response is not shared', ({
    expect,
  }) => {
    const headers = new Headers({ 'x-forwarded-for': '10.0.0.1, 2001:db8::1' })
    const out = forwardedHeaders(headers, { ip: '203.0.113.7', proto: 'http' }, false)
    expect(out.get('x-forwarded-for')).toBe('10.0.0.1, 2001:db8::1, 203.0.113.7')
    expect(out.get('x-forwarded-proto')).toBe('http')
  })

  it('drops a client list that is not all addresses', ({ expect }) => {
    const headers = new Headers({ 'x-forwarded-for': '10.0.0.1, <script>' })
    const out = forwardedHeaders(headers, { ip: '203.0.113.7', proto: 'https' }, false)
    expect(out.get('x-forwarded-for')).toBe('203.0.113.7')
  })

  it('sends no address field at all when the platform gave no address', ({ expect }) => {
    const out = forwardedHeaders(new Headers(spoofed), { ip: undefined, proto: 'https' }, false)
    expect(CLIENT_IP_HEADERS.filter((name) => out.has(name))).toEqual([])
    expect(out.has('true-client-ip')).toBe(false)
  })

  it('leaves the headers it was given untouched', ({ expect }) => {
    const headers = new Headers({ 'x-real-ip': '6.6.6.6' })
    forwardedHeaders(headers, { ip: '203.0.113.7', proto: 'https' }, true)
    expect(headers.get('x-real-ip')).toBe('6.6.6.6')
  })
})

describe('connectingAddress', () => {
  it.for([
    ['203.0.113.7', '203.0.113.7'],
    [' 2001:db8::1 ', '2001:db8::1'],
    ['not-an-ip', undefined],
    ['', undefined],
  ] as const)('reads CF-Connecting-IP %j as %j', ([value, expected], { expect }) => {
    expect(connectingAddress(new Headers({ 'cf-connecting-ip': value }))).toBe(expected)
  })

  it.for([
    ['1.2.3.4', true],
    ['256.1.1.1', false],
    ['::1', true],
    ['::ffff:10.0.0.1', true],
    ['evil.example', false],
  ] as const)('isIpAddress(%j) is %j', ([value, expected], { expect }) => {
    expect(isIpAddress(value)).toBe(expected)
  })
})
