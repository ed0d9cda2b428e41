import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  copyHeaders,
  fieldNameList,
  getField,
  isToken,
  splitList,
  trimOWS,
} from '../../../edge-cache/policy/fields'

describe('splitList', () => {
  // "a recipient MUST accept empty list elements" (RFC 9110 §5.6.1.2)
  it.for([
    ['a, b,c', ['a', 'b', 'c']],
    [' , a ,, b , ', ['a', 'b']],
    ['"a, b", c', ['"a, b"', 'c']],
    ['"a \\" , b", c', ['"a \\" , b"', 'c']],
    ['', []],
  ] as [string, string[]][])('splits %j into %j', ([value, expected], { expect }) => {
    expect(splitList(value)).toEqual(expected)
  })
})

describe('fieldNameList', () => {
  it('lower-cases, drops invalid names and deduplicates', ({ expect }) => {
    expect(fieldNameList('Set-Cookie, X-Foo, bad name, x-foo, ')).toEqual(['set-cookie', 'x-foo'])
  })
})

describe('helpers', () => {
  it.for([
    ['max-age', true],
    ['', false],
    ['a b', false],
    ['a"b', false],
  ] as [string, boolean][])('isToken(%j) is %s', ([value, expected], { expect }) => {
    expect(isToken(value)).toBe(expected)
  })

  it('reads an invalid field name as absent instead of throwing', ({ expect }) => {
    expect(getField(new Headers({ a: '1' }), 'bad name')).toBeNull()
    expect(getField(new Headers({ a: '1' }), 'a')).toBe('1')
  })

  it('trims only spaces and tabs', ({ expect }) => {
    expect(trimOWS(' \t a \n\t ')).toBe('a \n')
  })

  it('copies every set-cookie line separately', ({ expect }) => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1')
    headers.append('set-cookie', 'b=2')
    headers.set('x', 'y')
    const copy = copyHeaders(headers, (name) => name !== 'x')
    expect(copy.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(copy.has('x')).toBe(false)
  })

  it('never throws while splitting arbitrary input', ({ expect }) => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(() => [splitList(s), fieldNameList(s)]).not.toThrow()
      })
    )
  })
})
