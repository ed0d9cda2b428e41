import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  type Member,
  parseDictionary,
  parseItem,
  parseList,
} from '../../../edge-cache/policy/structured-fields'
import { int, item, str, TRUE, tok } from '../../support/structured-fields'

describe('parseItem', () => {
  it.for([
    ['42', int(42)],
    ['-42', int(-42)],
    ['999999999999999', int(999_999_999_999_999)],
    ['1.5', { type: 'decimal', value: 1.5 }],
    ['-0.125', { type: 'decimal', value: -0.125 }],
    ['"he said \\"hi\\""', str('he said "hi"')],
    ['foo123/456', tok('foo123/456')],
    ['*foo', tok('*foo')],
    [
      ':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:',
      { type: 'byte-sequence', value: 'cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==' },
    ],
    ['?1', TRUE],
    ['?0', { type: 'boolean', value: false }],
    ['@1659578233', { type: 'date', value: 1_659_578_233 }],
    ['%"f%c3%bc%c3%bc"', { type: 'display-string', value: 'füü' }],
    ['  7  ', int(7)],
  ] as const)('parses the bare item %s', ([input, expected], { expect }) => {
    expect(parseItem(input)?.value).toEqual(expected)
  })

  it.for([
    // "If type is integer and input_number contains more than 15 characters, fail parsing."
    '1000000000000000',
    // "If the number of characters after '.' in input_number is greater than three, fail"
    '1.2345',
    // "If input_number contains more than 12 characters [before '.'], fail"
    '1234567890123.0',
    // trailing '.'
    '1.',
    '-',
    '"unterminated',
    '"bad \\escape"',
    '"tab\tinside"',
    '?2',
    ':not base64!:',
    '@1.5',
    '%"%C3%BC"',
    '%"%ff"',
    'a b',
    '',
    'ü',
  ])('fails to parse the invalid item %j', (input, { expect }) => {
    expect(parseItem(input)).toBeUndefined()
  })

  it('keeps the last value but the first position of a repeated parameter', ({ expect }) => {
    const parsed = parseItem('a;x=1;y=2;x=3')
    expect([...(parsed?.params ?? [])]).toEqual([
      ['x', int(3)],
      ['y', int(2)],
    ])
  })
})

describe('parseList', () => {
  it.for([
    ['', []],
    ['a, b', [item(tok('a')), item(tok('b'))]],
    ['a,\tb', [item(tok('a')), item(tok('b'))]],
    ['"x";q=1', [item(str('x'), [['q', int(1)]])]],
    [
      '(a b);p, ()',
      [
        {
          kind: 'inner-list',
          items: [item(tok('a')), item(tok('b'))],
          params: new Map([['p', TRUE]]),
        },
        { kind: 'inner-list', items: [], params: new Map() },
      ],
    ],
  ] as [string, Member[]][])('parses %j', ([input, expected], { expect }) => {
    expect(parseList(input)).toEqual(expected)
  })

  it.for(['a,', 'a,,b', '(a', '(a,b)', 'a b', ',a', 'a;A=1'])(
    'fails to parse the invalid list %j',
    (input, { expect }) => {
      expect(parseList(input)).toBeUndefined()
    }
  )
})

describe('parseDictionary', () => {
  it('maps a bare key to boolean true and keeps its parameters', ({ expect }) => {
    const dict = parseDictionary('a, b=2;x, c=(1 2)')
    expect(dict?.get('a')).toEqual(item(TRUE))
    expect(dict?.get('b')).toEqual(item(int(2), [['x', TRUE]]))
    expect(dict?.get('c')?.kind).toBe('inner-list')
  })

  it('overwrites a repeated key with its last value', ({ expect }) => {
    expect(parseDictionary('a=1, b=2, a=3')?.get('a')).toEqual(item(int(3)))
  })

  it.for(['A=1', 'a=', 'a=1,', '1a=2', 'a=1 b=2', 'a=1;'])(
    'fails to parse the invalid dictionary %j',
    (input, { expect }) => {
      expect(parseDictionary(input)).toBeUndefined()
    }
  )
})

const sfChars = fc.constantFrom(...'aZ09-_.*;=,() "\\:?@%\t/!#é'.split(''))

describe('properties', () => {
  it('never throws and always terminates on arbitrary input', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: sfChars, maxLength: 40 }), fc.string({ unit: 'binary' })),
        (s) => {
          expect(() => [parseList(s), parseDictionary(s), parseItem(s)]).not.toThrow()
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('parses any joined list of tokens and integers back into its members', ({ expect }) => {
    const bare = fc.oneof(
      fc.stringMatching(/^[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]{0,8}$/).map(tok),
      fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map(int)
    )
    fc.assert(
      fc.property(
        fc.array(bare, { maxLength: 6 }),
        fc.constantFrom(',', ', ', ' ,\t'),
        (items, sep) => {
          const text = items.map((i) => String(i.value)).join(sep)
          expect(parseList(text)).toEqual(items.map((i) => item(i)))
        }
      )
    )
  })
})
