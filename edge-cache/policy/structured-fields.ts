/**
 * @module structured-fields
 * A small, total (never throwing) parser for Structured Field Values (RFC 8941, as updated
 * by RFC 9651: Dates and Display Strings). Parsers return `undefined` where the RFC says
 * "fail parsing", so callers can ignore the field. Serializers live in
 * structured-fields-serialize.
 */

/** A bare item with its Structured Fields type, so integers and decimals round-trip. */
export type BareItem =
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'byte-sequence'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'date'; value: number }
  | { type: 'display-string'; value: string }

/** Parameters, in order; a repeated key keeps its first position and its last value. */
export type Parameters = Map<string, BareItem>

export interface Item {
  kind: 'item'
  value: BareItem
  params: Parameters
}

export interface InnerList {
  kind: 'inner-list'
  items: Item[]
  params: Parameters
}

export type Member = Item | InnerList
export type SfList = Member[]
export type SfDictionary = Map<string, Member>

const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/
const KEY_CHAR = /^[a-z0-9_\-.*]$/
const BASE64_CHAR = /^[A-Za-z0-9+/=]$/
const DIGIT = /^[0-9]$/
const ALPHA = /^[A-Za-z]$/

class Parser {
  pos = 0
  constructor(readonly input: string) {}

  get done(): boolean {
    return this.pos >= this.input.length
  }

  peek(): string {
    return this.input.charAt(this.pos)
  }

  skipSP(): void {
    while (this.peek() === ' ') this.pos++
  }

  skipOWS(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  list(): SfList | undefined {
    const members: SfList = []
    while (!this.done) {
      const member = this.itemOrInnerList()
      if (!member) return undefined
      members.push(member)
      const next = this.afterMember()
      if (next === 'end') return members
      if (next === 'fail') return undefined
    }
    return members
  }

  dictionary(): SfDictionary | undefined {
    const dict: SfDictionary = new Map()
    while (!this.done) {
      const key = this.key()
      if (key === undefined) return undefined
      let member: Member | undefined
      if (this.peek() === '=') {
        this.pos++
        member = this.itemOrInnerList()
      } else {
        const params = this.parameters()
        member = params && { kind: 'item', value: { type: 'boolean', value: true }, params }
      }
      if (!member) return undefined
      dict.set(key, member)
      const next = this.afterMember()
      if (next === 'end') return dict
      if (next === 'fail') return undefined
    }
    return dict
  }

  /** What follows a list or dictionary member: the end, a comma and another member, or junk. */
  afterMember(): 'end' | 'more' | 'fail' {
    this.skipOWS()
    if (this.done) return 'end'
    if (this.input.charAt(this.pos++) !== ',') return 'fail'
    this.skipOWS()
    // "If input_string is empty, there is a trailing comma; fail parsing."
    return this.done ? 'fail' : 'more'
  }

  itemOrInnerList(): Member | undefined {
    return this.peek() === '(' ? this.innerList() : this.item()
  }

  innerList(): InnerList | undefined {
    this.pos++
    const items: Item[] = []
    while (!this.done) {
      this.skipSP()
      if (this.peek() === ')') {
        this.pos++
        const params = this.parameters()
        return params && { kind: 'inner-list', items, params }
      }
      const item = this.item()
      if (!item) return undefined
      items.push(item)
      const next = this.peek()
      if (next !== ' ' && next !== ')') return undefined
    }
    return undefined
  }

  item(): Item | undefined {
    const value = this.bareItem()
    if (!value) return undefined
    const params = this.parameters()
    return params && { kind: 'item', value, params }
  }

  parameters(): Parameters | undefined {
    const params: Parameters = new Map()
    while (this.peek() === ';') {
      this.pos++
      this.skipSP()
      const key = this.key()
      if (key === undefined) return undefined
      let value: BareItem | undefined = { type: 'boolean', value: true }
      if (this.peek() === '=') {
        this.pos++
        value = this.bareItem()
        if (!value) return undefined
      }
      params.set(key, value)
    }
    return params
  }

  key(): string | undefined {
    const first = this.peek()
    if (!/^[a-z*]$/.test(first)) return undefined
    const start = this.pos++
    while (KEY_CHAR.test(this.peek())) this.pos++
    return this.input.slice(start, this.pos)
  }

  bareItem(): BareItem | undefined {
    const c = this.peek()
    if (c === '-' || DIGIT.test(c)) return this.number()
    if (c === '"') return this.string()
    if (c === '*' || ALPHA.test(c)) return this.token()
    if (c === ':') return this.byteSequence()
    if (c === '?') return this.boolean()
    if (c === '@') return this.date()
    if (c === '%') return this.displayString()
    return undefined
  }

  number(): BareItem | undefined {
    let type: 'integer' | 'decimal' = 'integer'
    let sign = 1
    let digits = ''
    if (this.peek() === '-') {
      this.pos++
      sign = -1
    }
    if (!DIGIT.test(this.peek())) return undefined
    while (!this.done) {
      const c = this.peek()
      if (DIGIT.test(c)) {
        digits += c
      } else if (type === 'integer' && c === '.') {
        if (digits.length > 12) return undefined
        digits += c
        type = 'decimal'
      } else {
        break
      }
      this.pos++
      if (type === 'integer' && digits.length > 15) return undefined
      if (type === 'decimal' && digits.length > 16) return undefined
    }
    if (type === 'integer') return { type, value: sign * Number.parseInt(digits, 10) }
    const fraction = digits.length - digits.indexOf('.') - 1
    if (fraction < 1 || fraction > 3) return undefined
    return { type, value: sign * Number.parseFloat(digits) }
  }

  string(): BareItem | undefined {
    this.pos++
    let out = ''
    while (!this.done) {
      const c = this.input.charAt(this.pos++)
      if (c === '\\') {
        const next = this.input.charAt(this.pos++)
        if (next !== '"' && next !== '\\') return undefined
        out += next
      } else if (c === '"') {
        return { type: 'string', value: out }
      } else if (c < ' ' || c > '~') {
        return undefined
      } else {
        out += c
      }
    }
    return undefined
  }

  token(): BareItem {
    const start = this.pos++
    while (TOKEN_CHAR.test(this.peek())) this.pos++
    return { type: 'token', value: this.input.slice(start, this.pos) }
  }

  byteSequence(): BareItem | undefined {
    this.pos++
    const start = this.pos
    while (BASE64_CHAR.test(this.peek())) this.pos++
    if (this.peek() !== ':') return undefined
    const value = this.input.slice(start, this.pos++)
    return { type: 'byte-sequence', value }
  }

  boolean(): BareItem | undefined {
    this.pos++
    const c = this.input.charAt(this.pos++)
    if (c === '1') return { type: 'boolean', value: true }
    if (c === '0') return { type: 'boolean', value: false }
    return undefined
  }

  date(): BareItem | undefined {
    this.pos++
    const n = this.number()
    return n?.type === 'integer' ? { type: 'date', value: n.value } : undefined
  }

  displayString(): BareItem | undefined {
    this.pos++
    if (this.input.charAt(this.pos++) !== '"') return undefined
    const bytes: number[] = []
    while (!this.done) {
      const c = this.input.charAt(this.pos++)
      if (c < ' ' || c > '~') return undefined
      if (c === '%') {
        const hex = this.input.slice(this.pos, this.pos + 2)
        if (!/^[0-9a-f]{2}$/.test(hex)) return undefined
        bytes.push(Number.parseInt(hex, 16))
        this.pos += 2
      } else if (c === '"') {
        try {
          return {
            type: 'display-string',
            value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
              new Uint8Array(bytes)
            ),
          }
        } catch {
          return undefined
        }
      } else {
        bytes.push(c.charCodeAt(0))
      }
    }
    return undefined
  }
}

function parseTop<T>(value: string, parse: (p: Parser) => T | undefined): T | undefined {
  // "If any character of input_bytes is not ASCII, fail parsing." (RFC 9651 §4.2)
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return undefined
  const parser = new Parser(value)
  parser.skipSP()
  const result = parse(parser)
  if (result === undefined) return undefined
  parser.skipSP()
  return parser.done ? result : undefined
}

/**
 * Parses an sf-list. Multiple field lines must already be combined with ", ".
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.1
 */
export function parseList(value: string): SfList | undefined {
  return parseTop(value, (p) => p.list())
}

/**
 * Parses an sf-dictionary; a repeated key keeps its first position and its last value.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.2
 */
export function parseDictionary(value: string): SfDictionary | undefined {
  return parseTop(value, (p) => p.dictionary())
}

/**
 * Parses an sf-item.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.3
 */
export function parseItem(value: string): Item | undefined {
  return parseTop(value, (p) => p.item())
}
