import { describe, it } from 'vitest'
import {
  acceptsCoding,
  contentCoding,
  edgeCompression,
  normalizeAcceptEncoding,
} from '../../../edge-cache/policy/encoding'

describe('normalizeAcceptEncoding (issue 19)', () => {
  it.for([
    [null, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br, zstd', 'br, gzip'],
    ['gzip, deflate', 'gzip'],
    ['br', 'br'],
    ['BR;q=0.5, GZIP', 'br, gzip'],
    ['x-gzip', 'gzip'],
    ['zstd', 'identity'],
    ['identity', 'identity'],
    ['gzip;q=0, br', 'br'],
    ['*', 'br, gzip'],
    ['*, gzip;q=0', 'br'],
    ['br;q=0, *;q=0', 'identity'],
    ['gzip;q=bogus', 'identity'],
  ] as const)('%j → %s', ([value, normalized], { expect }) => {
    expect(normalizeAcceptEncoding(value)).toBe(normalized)
  })

  it('is idempotent', ({ expect }) => {
    for (const value of ['br, gzip', 'br', 'gzip', 'identity']) {
      expect(normalizeAcceptEncoding(value)).toBe(value)
    }
  })
})

describe('acceptsCoding', () => {
  it.for([
    ['br, gzip', 'gzip', true],
    ['br, gzip', 'br', true],
    ['gzip', 'br', false],
    ['identity', 'gzip', false],
    ['identity', undefined, true],
    ['br, gzip', 'zstd', false],
  ] as const)('%s accepts %s: %s', ([normalized, coding, accepted], { expect }) => {
    expect(acceptsCoding(normalized, coding)).toBe(accepted)
  })
})

describe('contentCoding', () => {
  it.for([
    [{}, undefined],
    [{ 'content-encoding': 'identity' }, undefined],
    [{ 'content-encoding': 'GZIP' }, 'gzip'],
    [{ 'content-encoding': 'x-gzip' }, 'gzip'],
    [{ 'content-encoding': 'br' }, 'br'],
    [{ 'content-encoding': 'gzip, br' }, 'gzip, br'],
  ] as const)('%j → %s', ([fields, coding], { expect }) => {
    expect(contentCoding(new Headers(fields))).toBe(coding)
  })
})

describe('edgeCompression', () => {
  const text = { 'content-type': 'text/css; charset=utf-8', 'content-length': '5000' }
  it.for([
    ['br for a text 200 when the client takes br', true, 'br, gzip', 200, text, 'br'],
    ['gzip when only gzip is accepted', true, 'gzip', 200, text, 'gzip'],
    ['nothing for an identity client', true, 'identity', 200, text, undefined],
    ['nothing when the route turns it off', false, 'br, gzip', 200, text, undefined],
    ['nothing for a 206', true, 'br, gzip', 206, text, undefined],
    ['nothing for a 404', true, 'br, gzip', 404, text, undefined],
    [
      'nothing for what is already encoded',
      true,
      'br, gzip',
      200,
      { ...text, 'content-encoding': 'gzip' },
      undefined,
    ],
    ['nothing for an image', true, 'br, gzip', 200, { 'content-type': 'image/png' }, undefined],
    ['nothing for video', true, 'br, gzip', 200, { 'content-type': 'video/mp4' }, undefined],
    [
      'nothing for an archive',
      true,
      'br, gzip',
      200,
      { 'content-type': 'application/zip' },
      undefined,
    ],
    [
      'nothing under no-transform',
      true,
      'br, gzip',
      200,
      { ...text, 'cache-control': 'public, no-transform' },
      undefined,
    ],
    [
      'nothing for a tiny body',
      true,
      'br, gzip',
      200,
      { ...text, 'content-length': '40' },
      undefined,
    ],
    ['a +json type', true, 'gzip', 200, { 'content-type': 'application/problem+json' }, 'gzip'],
    ['an svg image', true, 'gzip', 200, { 'content-type': 'image/svg+xml' }, 'gzip'],
  ] as const)('%s', ([, enabled, accept, status, fields, coding], { expect }) => {
    expect(edgeCompression(enabled, accept, status, new Headers(fields))).toBe(coding)
  })
})
