import { describe, it } from 'vitest'
import { canonicalZoneHost, requestHost } from '../../schemas/hosts'

describe('canonicalZoneHost', () => {
  it.for([
    ['shop.example.com', 'shop.example.com'],
    ['Shop.Example.COM.', 'shop.example.com'],
    ['*.Example.com.', '*.example.com'],
    ['*', '*'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['*.bücher.example', '*.xn--bcher-kva.example'],
    ['ａ.example', 'a.example'],
    ['localhost', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['_dmarc.example.com', '_dmarc.example.com'],
  ] as const)('reads %j as %j', ([claimed, canonical], { expect }) => {
    expect(canonicalZoneHost(claimed)).toBe(canonical)
    expect(canonicalZoneHost(canonical)).toBe(canonical)
  })

  it.for([
    '*.',
    '*.*',
    'a.*.example',
    '',
    'shop.example.com:8443',
    'https://shop.example.com/',
    'shop.example.com/x',
    'user@shop.example.com',
    'shop example.com',
    'shop..example.com',
    'shop.example.com..',
    '[::1]',
    '\u0000',
    `${'a.'.repeat(126)}ab`,
  ])('refuses %j', (claimed, { expect }) => {
    expect(canonicalZoneHost(claimed)).toBeUndefined()
  })
})

describe('requestHost', () => {
  it.for([
    ['a.example.com', 'a.example.com'],
    ['a.example.com.', 'a.example.com'],
    ['A.Example.com', 'a.example.com'],
  ] as const)('reads %j as %j', ([hostname, host], { expect }) => {
    expect(requestHost(hostname)).toBe(host)
  })
})
