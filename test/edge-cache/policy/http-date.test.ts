import fc from 'fast-check'
import { describe, it } from 'vitest'
import { formatHttpDate, parseHttpDate } from '../../../edge-cache/policy/http-date'

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37)

describe('parseHttpDate', () => {
  // "A recipient that parses a timestamp value in an HTTP field MUST accept all three
  // HTTP-date formats." (RFC 9110 §5.6.7)
  it.for([
    ['Sun, 06 Nov 1994 08:49:37 GMT', 'IMF-fixdate'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 'obsolete RFC 850 format'],
    ['Sun Nov  6 08:49:37 1994', 'ANSI C asctime() format'],
    ['  Sun, 06 Nov 1994 08:49:37 GMT ', 'IMF-fixdate with surrounding whitespace'],
  ])('accepts %j (%s)', ([value], { expect }) => {
    expect(parseHttpDate(value)).toBe(NOV_6_1994)
  })

  it.for([
    '0',
    '',
    '-1',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'sun, 06 nov 1994 08:49:37 gmt',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT',
    '1994-11-06T08:49:37Z',
  ])('rejects the invalid date %j', (value, { expect }) => {
    expect(parseHttpDate(value)).toBeUndefined()
  })

  it('returns undefined for null and undefined', ({ expect }) => {
    expect(parseHttpDate(null)).toBeUndefined()
    expect(parseHttpDate(undefined)).toBeUndefined()
  })

  it('reads a leap second as the last second of the minute', ({ expect }) => {
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59))
  })

  it('keeps four-digit years below 100 as written', ({ expect }) => {
    expect(parseHttpDate('Sat, 01 Jan 0050 00:00:00 GMT')).toBe(-60589296000000)
  })

  // "Recipients of a timestamp value in rfc850-date format, which uses a two-digit year, MUST
  // interpret a timestamp that appears to be more than 50 years in the future as representing
  // the most recent year in the past that had the same last two digits."
  it.for([
    ['Friday, 01-Jan-99 00:00:00 GMT', Date.UTC(2030, 0, 1), Date.UTC(1999, 0, 1)],
    ['Sunday, 01-Jan-79 00:00:00 GMT', Date.UTC(2030, 0, 1), Date.UTC(2079, 0, 1)],
    ['Monday, 01-Jan-00 00:00:00 GMT', Date.UTC(2099, 0, 1), Date.UTC(2100, 0, 1)],
    ['Thursday, 01-Jan-70 00:00:00 GMT', undefined, Date.UTC(1970, 0, 1)],
    ['Saturday, 01-Jan-00 00:00:00 GMT', undefined, Date.UTC(2000, 0, 1)],
  ] as [string, number | undefined, number][])(
    'resolves the two-digit year of %j against now=%s',
    ([value, now, expected], { expect }) => {
      expect(parseHttpDate(value, now)).toBe(expected)
    }
  )
})

describe('formatHttpDate', () => {
  // "When a sender generates a field that contains one or more timestamps defined as
  // HTTP-date, the sender MUST generate those timestamps in the IMF-fixdate format."
  it.for([
    [NOV_6_1994, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [NOV_6_1994 + 999, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [0, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [Number.NaN, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [1e20, 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('formats %s as %j', ([ms, expected], { expect }) => {
    expect(formatHttpDate(ms as number)).toBe(expected)
  })
})

describe('properties', () => {
  it('never throws on arbitrary input', ({ expect }) => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.double()), (s, now) => {
        expect(() => parseHttpDate(s, now ?? undefined)).not.toThrow()
      })
    )
  })

  it('round-trips any second between years 0 and 9999 through format and parse', ({ expect }) => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200, max: 253_402_300_799 }), (seconds) => {
        expect(parseHttpDate(formatHttpDate(seconds * 1000))).toBe(seconds * 1000)
      })
    )
  })
})
