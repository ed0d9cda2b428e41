import fc from 'fast-check'
import { describe, it } from 'vitest'
import { cacheGroups, cacheTags, MAX_TAG_LENGTH } from '../../../edge-cache/policy/tags'

describe('cacheTags', () => {
  it.for([
    [{ 'cache-tag': 'product-1, category-shoes ,,  ' }, ['product-1', 'category-shoes']],
    [{ 'surrogate-key': '  key1   key2\tkey3 ' }, ['key1', 'key2', 'key3']],
    // RFC 9875: "The Cache-Groups response header field is a List of Strings"
    [{ 'cache-groups': '"scripts", "shared assets"' }, ['scripts', 'shared assets']],
    [
      { 'cache-tag': 'a, b', 'surrogate-key': 'b c', 'cache-groups': '"c", "d"' },
      ['a', 'b', 'c', 'd'],
    ],
    [{ 'cache-tag': 'A, a' }, ['A', 'a']],
    [{ 'cache-groups': 'token, "ok", ("inner")' }, ['ok']],
    [{ 'cache-groups': '"unterminated' }, []],
    [{ 'cache-tag': 'ok, caf\u00e9' }, ['ok']],
    [{}, []],
  ] as [Record<string, string>, string[]][])(
    'collects %j as %j',
    ([headers, expected], { expect }) => {
      expect(cacheTags(new Headers(headers))).toEqual(expected)
    }
  )

  it('drops tags longer than 1024 characters', ({ expect }) => {
    const long = 'x'.repeat(MAX_TAG_LENGTH + 1)
    const max = 'y'.repeat(MAX_TAG_LENGTH)
    expect(cacheTags(new Headers({ 'cache-tag': `${long}, ${max}` }))).toEqual([max])
  })

  it('combines repeated Cache-Tag lines', ({ expect }) => {
    const headers = new Headers()
    headers.append('cache-tag', 'a')
    headers.append('cache-tag', 'b')
    expect(cacheTags(headers)).toEqual(['a', 'b'])
  })

  it('reads Cache-Groups alone', ({ expect }) => {
    expect(cacheGroups(new Headers({ 'cache-groups': '"a", b, "c"' }))).toEqual(['a', 'c'])
  })

  it('never throws and only returns trimmed printable unique tags', ({ expect }) => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (tag, key, groups) => {
        let headers: Headers
        try {
          headers = new Headers({ 'cache-tag': tag, 'surrogate-key': key, 'cache-groups': groups })
        } catch {
          return
        }
        const tags = cacheTags(headers)
        expect(new Set(tags).size).toBe(tags.length)
        for (const t of tags) {
          expect(t).toMatch(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/)
          expect(t.length).toBeLessThanOrEqual(MAX_TAG_LENGTH)
        }
      })
    )
  })
})
