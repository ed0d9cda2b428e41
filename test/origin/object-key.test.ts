import fc from 'fast-check'
import { describe, it } from 'vitest'
import { InvalidObjectPathError } from '../../origin/errors'
import { objectKey } from '../../origin/object-key'

describe('objectKey', () => {
  it.for([
    ['/style.css', '', 'style.css'],
    ['/', '', 'index.html'],
    ['/docs/', 'site/', 'site/docs/index.html'],
    ['/a%20b.txt', '', 'a b.txt'],
    // decoded exactly once: %252e stays a literal %2e
    ['/%252e%252e/x', '', '%2e%2e/x'],
    ['//double//slash', 'p/', 'p/double//slash'],
  ] as const)('maps %s under prefix %j to %s', ([path, prefix, key], { expect }) => {
    expect(objectKey(path, prefix)).toBe(key)
  })

  it.for([
    '/../secret',
    '/a/../../b',
    '/%2e%2e/secret',
    '/%2E%2E%2Fsecret',
    '/./a',
    '/a\\..\\b',
    '/%5c..%5csecret',
    '/%zz',
    '/a%00b',
  ] as const)('refuses %s', (path, { expect }) => {
    expect(() => objectKey(path, 'site/')).toThrow(InvalidObjectPathError)
  })

  it('never yields a key outside its prefix and throws nothing but InvalidObjectPathError', ({
    expect,
  }) => {
    fc.assert(
      fc.property(fc.string(), (tail) => {
        try {
          const key = objectKey(`/${tail}`, 'site/')
          expect(key.startsWith('site/')).toBe(true)
          expect(key.split('/')).not.toContain('..')
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidObjectPathError)
        }
      })
    )
  })
})
