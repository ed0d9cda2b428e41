import { describe, it } from 'vitest'
import { contentLength, lengthOf } from '../../../edge-cache/policy/content-length'

describe('contentLength', () => {
  it.for([
    ['0', 0],
    ['1234', 1234],
    [' 12 ', 12],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['12, 12', undefined],
    ['abc', undefined],
    ['1e400', undefined],
  ] as const)('reads %j as %s', ([value, expected], { expect }) => {
    expect(contentLength(new Headers({ 'content-length': value }))).toBe(expected)
  })

  it('is unknown when the field is absent', ({ expect }) => {
    expect(contentLength(new Headers())).toBeUndefined()
    expect(lengthOf(null)).toBeUndefined()
    expect(lengthOf(undefined)).toBeUndefined()
  })
})
