import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  type BareItem,
  type Item,
  type Member,
  parseDictionary,
  parseList,
} from '../../../edge-cache/policy/structured-fields'
import {
  isSfString,
  isSfToken,
  serializeBareItem,
  serializeDictionary,
  serializeList,
} from '../../../edge-cache/policy/structured-fields-serialize'
import { int, item, str, TRUE, tok } from '../../support/structured-fields'

describe('serializers', () => {
  it.for([
    [int(5), '5'],
    [{ type: 'decimal', value: 1 }, '1.0'],
    [{ type: 'decimal', value: 0.0025 }, '0.002'],
    [{ type: 'decimal', value: 0.0035 }, '0.004'],
    [str('a"b\\c'), '"a\\"b\\\\c"'],
    [{ type: 'display-string', value: 'ü"%' }, '%"%c3%bc%22%25"'],
    [{ type: 'boolean', value: false }, '?0'],
    [{ type: 'date', value: 0 }, '@0'],
  ] as [BareItem, string][])('serializes %j as %s', ([value, expected], { expect }) => {
    expect(serializeBareItem(value)).toBe(expected)
  })

  it.for([
    int(1.5),
    int(1e15),
    { type: 'decimal', value: 1e12 },
    str('tab\t'),
    str('ü'),
    tok('1abc'),
    tok('a b'),
    { type: 'byte-sequence', value: '!!' },
  ] as BareItem[])('refuses to serialize %j', (value, { expect }) => {
    expect(serializeBareItem(value)).toBeUndefined()
  })

  it('writes boolean true dictionary members as the bare key', ({ expect }) => {
    const dict = new Map<string, Member>([
      ['a', item(TRUE, [['p', int(1)]])],
      ['b', item(int(2))],
    ])
    expect(serializeDictionary(dict)).toBe('a;p=1, b=2')
  })
})

describe('type checks', () => {
  it.for([
    ['foo', true, true],
    ['*a:b/c', true, true],
    ['1a', false, true],
    ['a b', false, true],
    ['ü', false, false],
  ] as [string, boolean, boolean][])(
    'classifies %j: token %s, sf-string %s',
    ([value, token, string], { expect }) => {
      expect(isSfToken(value)).toBe(token)
      expect(isSfString(value)).toBe(string)
    }
  )
})

const key = fc.stringMatching(/^[a-z*][a-z0-9_.*-]{0,6}$/)
const bareItem: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((value) => int(value)),
  fc
    .integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 })
    .map((n): BareItem => ({ type: 'decimal', value: n / 1000 || 0 })),
  fc
    .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) })
    .map(str),
  fc.stringMatching(/^[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]{0,8}$/).map(tok),
  fc.base64String({ maxLength: 12 }).map((value): BareItem => ({ type: 'byte-sequence', value })),
  fc.boolean().map((value): BareItem => ({ type: 'boolean', value })),
  fc.integer({ min: -1e12, max: 1e12 }).map((value): BareItem => ({ type: 'date', value })),
  fc
    .string({ unit: 'grapheme', maxLength: 6 })
    .map((value): BareItem => ({ type: 'display-string', value }))
)
const params = fc
  .uniqueArray(fc.tuple(key, bareItem), { selector: ([k]) => k, maxLength: 3 })
  .map((entries) => new Map(entries))
const sfItem: fc.Arbitrary<Item> = fc.record({
  kind: fc.constant('item' as const),
  value: bareItem,
  params,
})
const member: fc.Arbitrary<Member> = fc.oneof(
  sfItem,
  fc.record({
    kind: fc.constant('inner-list' as const),
    items: fc.array(sfItem, { maxLength: 3 }),
    params,
  })
)
const sfChars = fc.constantFrom(...'aZ09-_.*;=,() "\\:?@%\t/!#é'.split(''))

describe('properties', () => {
  it('round-trips lists through serialize and parse', ({ expect }) => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 4 }), (list) => {
        const text = serializeList(list)
        expect(text).toBeDefined()
        expect(parseList(text ?? '')).toEqual(list)
      })
    )
  })

  it('round-trips dictionaries through serialize and parse', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, member), { selector: ([k]) => k, maxLength: 4 }),
        (entries) => {
          const dict = new Map(entries)
          expect(parseDictionary(serializeDictionary(dict) ?? '')).toEqual(dict)
        }
      )
    )
  })

  it('re-serializes any parsed list to a fixed point', ({ expect }) => {
    fc.assert(
      fc.property(fc.string({ unit: sfChars, maxLength: 30 }), (s) => {
        const list = parseList(s)
        if (!list) return
        const once = serializeList(list) ?? ''
        expect(serializeList(parseList(once) ?? [])).toBe(once)
      }),
      { numRuns: 2000 }
    )
  })
})
