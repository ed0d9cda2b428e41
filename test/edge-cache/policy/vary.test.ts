import fc from 'fast-check'
import { describe, it } from 'vitest'
import { normalizeVaryValue, varyFields, varyKey } from '../../../edge-cache/policy/vary'

describe('varyFields', () => {
  it.for([
    [{ vary: 'Accept-Encoding' }, ['accept-encoding']],
    [
      { vary: 'User-Agent, accept-encoding,  Accept-Language, ACCEPT-ENCODING' },
      ['accept-encoding', 'accept-language', 'user-agent'],
    ],
    [{ vary: ', , origin' }, ['origin']],
    [{ vary: 'bad name, origin' }, ['origin']],
    // "A Vary field value containing a member '*' ... always fails to match"
    [{ vary: 'accept, *' }, '*'],
    [{ vary: '*' }, '*'],
    [{}, []],
  ] as [Record<string, string>, string[] | '*'][])(
    'reads %j as %j',
    ([headers, expected], { expect }) => {
      expect(varyFields(new Headers(headers))).toEqual(expected)
    }
  )

  it('combines multiple Vary field lines', ({ expect }) => {
    const headers = new Headers()
    headers.append('vary', 'origin')
    headers.append('vary', 'Accept')
    expect(varyFields(headers)).toEqual(['accept', 'origin'])
  })
})

describe('varyKey', () => {
  // §4.1: requests match after "adding or removing whitespace, where allowed in the header field's
  // syntax; combining multiple header field lines with the same field name; normalizing both
  // header field values in a way that is known to have identical semantics"
  it.for([
    [['accept-encoding'], { 'accept-encoding': 'gzip, br' }, { 'accept-encoding': 'BR,gzip' }],
    // Issue 19: one variant per normalised Accept-Encoding, not per browser's spelling.
    [
      ['accept-encoding'],
      { 'accept-encoding': 'gzip, deflate, br, zstd' },
      { 'accept-encoding': 'br, gzip' },
    ],
    [['accept-encoding'], { 'accept-encoding': 'zstd' }, { 'accept-encoding': 'identity' }],
    [
      ['accept-encoding'],
      { 'accept-encoding': 'gzip;q=1.0, br' },
      { 'accept-encoding': ' br , gzip ; q=1.0 ' },
    ],
    [['accept-language'], { 'accept-language': 'en,  fr' }, { 'accept-language': 'en , fr' }],
    [
      ['origin', 'accept'],
      { origin: 'https://a', accept: 'x' },
      { accept: 'x', origin: 'https://a' },
    ],
    [['Origin'], { origin: 'https://a' }, { origin: 'https://a' }],
  ] as [string[], Record<string, string>, Record<string, string>][])(
    'gives the same key for equivalent %j requests %j and %j',
    ([fields, a, b], { expect }) => {
      expect(varyKey(fields, new Headers(a))).toBe(varyKey(fields, new Headers(b)))
    }
  )

  it('treats separate field lines like one combined line', ({ expect }) => {
    const lines = new Headers()
    lines.append('accept-language', 'en')
    lines.append('accept-language', 'fr')
    expect(varyKey(['accept-language'], lines)).toBe(
      varyKey(['accept-language'], new Headers({ 'accept-language': 'en, fr' }))
    )
  })

  it.for([
    [['accept-language'], { 'accept-language': 'en' }, { 'accept-language': 'fr' }],
    [['accept-language'], { 'accept-language': 'en, fr' }, { 'accept-language': 'fr, en' }],
    // "If (after any normalization that might take place) a header field is absent from a
    // request, it can only match another request if it is also absent there."
    [['accept-language'], {}, { 'accept-language': '' }],
    [['a', 'b'], { a: 'x&b=y' }, { a: 'x', b: 'y' }],
    [['origin'], { origin: 'https://A' }, { origin: 'https://a' }],
  ] as [string[], Record<string, string>, Record<string, string>][])(
    'gives different keys for %j requests %j and %j',
    ([fields, a, b], { expect }) => {
      expect(varyKey(fields, new Headers(a))).not.toBe(varyKey(fields, new Headers(b)))
    }
  )

  it('builds a readable, percent-encoded key', ({ expect }) => {
    const key = varyKey(
      ['origin', 'accept-encoding', 'x-absent'],
      new Headers({ origin: 'https://a.example', 'accept-encoding': 'gzip, br' })
    )
    expect(key).toBe('accept-encoding=br,%20gzip&origin=https://a.example&x-absent')
    expect(varyKey([], new Headers())).toBe('')
    expect(varyKey(['x'], new Headers({ x: 'a b=&%' }))).toBe('x=a%20b%3D%26%25')
  })

  it('normalizes whitespace and list members', ({ expect }) => {
    expect(normalizeVaryValue('user-agent', '  Mozilla/5.0   (X11;  Linux) ')).toBe(
      'Mozilla/5.0 (X11; Linux)'
    )
    expect(normalizeVaryValue('Accept-Encoding', 'gzip, GZIP, br')).toBe('br, gzip')
  })

  it('never throws and is independent of field order', ({ expect }) => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.string(), (fields, value) => {
        let headers: Headers
        try {
          headers = new Headers(fields.filter((f) => /^[a-z-]+$/.test(f)).map((f) => [f, value]))
        } catch {
          return
        }
        const key = varyKey(fields, headers)
        expect(varyKey([...fields].reverse(), headers)).toBe(key)
      })
    )
  })
})
