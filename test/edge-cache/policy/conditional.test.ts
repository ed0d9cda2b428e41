import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  type ConditionalOutcome,
  evaluateConditional,
  NOT_MODIFIED_FIELDS,
  notModifiedHeaders,
  parseEntityTag,
  parseEntityTagList,
  strongMatch,
  weakMatch,
} from '../../../edge-cache/policy/conditional'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'

const T0 = Date.UTC(2024, 0, 1)
const at = (s: number) => formatHttpDate(T0 + s * 1000)

describe('entity-tag comparison', () => {
  // RFC 9110 §8.8.3.2 example table
  it.for([
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true],
    ['"1"', '"2"', false, false],
    ['"a,b"', '"a,b"', true, true],
    ['""', '""', true, true],
    ['1', '1', false, false],
    ['w/"1"', '"1"', false, false],
    ['"1', '"1', false, false],
  ] as [string, string, boolean, boolean][])(
    'compares %s and %s: strong %s, weak %s',
    ([a, b, strong, weak], { expect }) => {
      expect(strongMatch(a, b)).toBe(strong)
      expect(weakMatch(a, b)).toBe(weak)
      expect(strongMatch(b, a)).toBe(strong)
      expect(weakMatch(b, a)).toBe(weak)
    }
  )

  it.for([
    ['"xyzzy"', { weak: false, opaque: 'xyzzy' }],
    ['W/"xyzzy"', { weak: true, opaque: 'xyzzy' }],
    [' "a b" ', undefined],
    ['"a"b"', undefined],
  ] as [string, unknown][])('parses the entity-tag %j', ([value, expected], { expect }) => {
    expect(parseEntityTag(value)).toEqual(expected)
  })

  it.for([
    ['*', '*'],
    [' * ', '*'],
    [
      '"a", W/"b" ,"c,d"',
      [
        { weak: false, opaque: 'a' },
        { weak: true, opaque: 'b' },
        { weak: false, opaque: 'c,d' },
      ],
    ],
    ['bogus, "a", W/x', [{ weak: false, opaque: 'a' }]],
    ['"a", *', [{ weak: false, opaque: 'a' }]],
    ['', []],
  ] as [string, unknown][])('parses the list %j', ([value, expected], { expect }) => {
    expect(parseEntityTagList(value)).toEqual(expected)
  })
})

const response = new Headers({ etag: '"v2"', 'last-modified': at(-3600), date: at(0) })
const evaluate = (method: string, request: Record<string, string>, res = response) =>
  evaluateConditional(method, new Headers(request), res)

describe('evaluateConditional', () => {
  it.for([
    // If-Match: "An origin server MUST NOT perform the requested method if a received If-Match
    // condition evaluates to false" - strong comparison, "*" true for a current representation
    ['GET', { 'if-match': '"v2"' }, 'proceed'],
    ['GET', { 'if-match': '"v1", "v2"' }, 'proceed'],
    ['GET', { 'if-match': '*' }, 'proceed'],
    ['GET', { 'if-match': '"v1"' }, 'precondition-failed'],
    ['GET', { 'if-match': 'W/"v2"' }, 'precondition-failed'],
    ['GET', { 'if-match': 'garbage' }, 'precondition-failed'],
    // If-Unmodified-Since
    ['GET', { 'if-unmodified-since': at(-3600) }, 'proceed'],
    ['GET', { 'if-unmodified-since': at(-7200) }, 'precondition-failed'],
    // "A recipient MUST ignore the If-Unmodified-Since header field if the received field value
    // is not a valid HTTP-date" ... "if the request contains an If-Match header field"
    ['GET', { 'if-unmodified-since': 'yesterday' }, 'proceed'],
    ['GET', { 'if-match': '"v2"', 'if-unmodified-since': at(-7200) }, 'proceed'],
    // If-None-Match: "A recipient MUST use the weak comparison function"
    ['GET', { 'if-none-match': '"v2"' }, 'not-modified'],
    ['HEAD', { 'if-none-match': 'W/"v2"' }, 'not-modified'],
    ['GET', { 'if-none-match': '"v1"' }, 'proceed'],
    ['GET', { 'if-none-match': '*' }, 'not-modified'],
    ['DELETE', { 'if-none-match': '"v2"' }, 'precondition-failed'],
    ['PUT', { 'if-none-match': '*' }, 'precondition-failed'],
    // "A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header
    // field"
    ['GET', { 'if-none-match': '"v1"', 'if-modified-since': at(0) }, 'proceed'],
    // If-Modified-Since: "the condition is false" when last modified is earlier or equal
    ['GET', { 'if-modified-since': at(-3600) }, 'not-modified'],
    ['GET', { 'if-modified-since': at(0) }, 'not-modified'],
    ['GET', { 'if-modified-since': at(-3601) }, 'proceed'],
    // "A recipient MUST ignore the If-Modified-Since header field if the received field value is
    // not a valid HTTP-date, the field value has more than one member, or if the request method
    // is neither GET nor HEAD"
    ['GET', { 'if-modified-since': 'garbage' }, 'proceed'],
    ['GET', { 'if-modified-since': `${at(0)}, ${at(0)}` }, 'proceed'],
    ['POST', { 'if-modified-since': at(0) }, 'proceed'],
    // precedence: If-Match fails before If-None-Match is considered
    ['GET', { 'if-match': '"v1"', 'if-none-match': '"v2"' }, 'precondition-failed'],
    ['GET', {}, 'proceed'],
  ] as [string, Record<string, string>, ConditionalOutcome][])(
    'answers %s with %j by %s',
    ([method, request, expected], { expect }) => {
      expect(evaluate(method, request)).toBe(expected)
    }
  )

  // RFC 9111 §4.3.2: "no Last-Modified field is present in the selected stored response, but it
  // has a Date field value that is earlier than or equal to the conditional timestamp"
  it('falls back to Date for If-Modified-Since when Last-Modified is missing', ({ expect }) => {
    const res = new Headers({ date: at(0) })
    expect(evaluate('GET', { 'if-modified-since': at(0) }, res)).toBe('not-modified')
    expect(evaluate('GET', { 'if-modified-since': at(-1) }, res)).toBe('proceed')
  })

  it('fails If-Match when the stored response has no ETag', ({ expect }) => {
    expect(evaluate('GET', { 'if-match': '"v2"' }, new Headers())).toBe('precondition-failed')
    expect(evaluate('GET', { 'if-none-match': '"v2"' }, new Headers())).toBe('proceed')
  })

  // "A server MUST ignore all received preconditions if its response to the same request without
  // those conditions ... would have been a status code other than a 2xx (Successful) or 412"
  it('ignores preconditions for a non-2xx stored status', ({ expect }) => {
    const request = new Headers({ 'if-none-match': '"v2"' })
    expect(evaluateConditional('GET', request, response, 404)).toBe('proceed')
    expect(evaluateConditional('GET', request, response, 200)).toBe('not-modified')
  })
})

describe('notModifiedHeaders', () => {
  // "The server generating a 304 response MUST generate any of the following header fields that
  // would have been sent in a 200 (OK) response to the same request: Content-Location, Date,
  // ETag, and Vary; Cache-Control and Expires"
  it('copies the 304 metadata fields and nothing else', ({ expect }) => {
    const full = new Headers({
      'cache-control': 'max-age=60',
      'content-location': '/a.en',
      date: at(0),
      etag: '"v2"',
      expires: at(60),
      vary: 'accept-encoding',
      'last-modified': at(-3600),
      age: '5',
      'content-type': 'text/html',
      'content-length': '1234',
      'set-cookie': 'a=1',
    })
    const headers = notModifiedHeaders(full)
    expect([...headers.keys()].sort()).toEqual([...NOT_MODIFIED_FIELDS].sort())
    expect(headers.get('etag')).toBe('"v2"')
  })
})

describe('properties', () => {
  it('never throws on arbitrary validators', ({ expect }) => {
    const chars = fc.constantFrom(...'W/"a, *\\'.split(''))
    fc.assert(
      fc.property(
        fc.string({ unit: chars }),
        fc.string({ unit: chars }),
        fc.string(),
        (a, b, c) => {
          expect(() => [
            strongMatch(a, b),
            weakMatch(a, c),
            parseEntityTagList(a),
            parseEntityTagList(c),
          ]).not.toThrow()
          const tags = parseEntityTagList(a)
          if (tags !== '*')
            for (const tag of tags)
              expect(weakMatch(`"${tag.opaque}"`, `W/"${tag.opaque}"`)).toBe(true)
        }
      )
    )
  })

  it('finds every generated entity-tag in a serialized list', ({ expect }) => {
    const tag = fc.record({ weak: fc.boolean(), opaque: fc.stringMatching(/^[!#-~]{0,8}$/) })
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1, maxLength: 5 }), (tags) => {
        const text = tags.map((t) => `${t.weak ? 'W/' : ''}"${t.opaque}"`).join(', ')
        expect(parseEntityTagList(text)).toEqual(tags)
      })
    )
  })
})
