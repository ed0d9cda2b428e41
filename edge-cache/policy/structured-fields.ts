/**
 * @module structured-fields
 * A small, total (never throwing) parser and serializer for Structured Field Values
 * (RFC 8941, as updated by RFC 9651: Dates and Display Strings). Parsers return `undefined`
 * where the RFC says "fail parsing"; serializers return `undefined` where it says "fail
 * serialization", so callers can decide to ignore the field.
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

const MAX_INTEGER = 999_999_999_999_999
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/
const KEY_CHAR = /^[a-z0-9_\-.*]$/
const BASE64_CHAR = /^[A-Za-z0-9+/=]$/
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/
const KEY = /^[a-z*][a-z0-9_\-.*]*$/
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
      this.skipOWS()
      if (this.done) return members
      if (this.input.charAt(this.pos++) !== ',') return undefined
      this.skipOWS()
      // "If input_string is empty, there is a trailing comma; fail parsing."
      if (this.done) return undefined
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
      this.skipOWS()
      if (this.done) return dict
      if (this.input.charAt(this.pos++) !== ',') return undefined
      this.skipOWS()
      if (this.done) return undefined
    }
    return dict
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
            value: new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)),
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
  if (!/^[\x00-\x7f]*$/.test(value)) return undefined
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

/** True when `value` can be serialized as an sf-token. */
export function isToken(value: string): boolean {
  return TOKEN.test(value)
}

/** True when `value` can be serialized as an sf-string (printable ASCII only). */
export function isSfString(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value)
}

/**
 * Serializes a bare item; `undefined` where the RFC says "fail serialization".
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.3.1
 */
export function serializeBareItem(item: BareItem): string | undefined {
  switch (item.type) {
    case 'integer':
    case 'date': {
      const v = item.value
      if (!Number.isInteger(v) || Math.abs(v) > MAX_INTEGER) return undefined
      return `${item.type === 'date' ? '@' : ''}${v}`
    }
    case 'decimal': {
      // "round input_decimal to three decimal places, rounding the final digit ... to even"
      const v = roundHalfEven(item.value)
      if (!Number.isFinite(v) || Math.abs(Math.trunc(v)) >= 1e12) return undefined
      const text = Number.isInteger(v) ? `${v}.0` : `${v}`
      return Object.is(v, -0) ? '0.0' : text
    }
    case 'string':
      if (!isSfString(item.value)) return undefined
      return `"${item.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
    case 'token':
      return isToken(item.value) ? item.value : undefined
    case 'byte-sequence':
      return /^[A-Za-z0-9+/=]*$/.test(item.value) ? `:${item.value}:` : undefined
    case 'boolean':
      return item.value ? '?1' : '?0'
    case 'display-string': {
      let out = '%"'
      for (const byte of new TextEncoder().encode(item.value)) {
        const c = String.fromCharCode(byte)
        const escape = byte === 0x25 || byte === 0x22 || byte < 0x20 || byte > 0x7e
        out += escape ? `%${byte.toString(16).padStart(2, '0')}` : c
      }
      return `${out}"`
    }
  }
}

function roundHalfEven(v: number): number {
  const scaled = v * 1000
  const tie = Math.abs(scaled - Math.trunc(scaled)) === 0.5
  return (tie ? 2 * Math.round(scaled / 2) : Math.round(scaled)) / 1000
}

/** Serializes parameters; `undefined` if a key or value cannot be serialized. */
export function serializeParameters(params: Parameters): string | undefined {
  let out = ''
  for (const [key, value] of params) {
    if (!KEY.test(key)) return undefined
    out += `;${key}`
    if (value.type === 'boolean' && value.value) continue
    const text = serializeBareItem(value)
    if (text === undefined) return undefined
    out += `=${text}`
  }
  return out
}

/**
 * Serializes an item or inner list.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.3
 */
export function serializeMember(member: Member): string | undefined {
  const params = serializeParameters(member.params)
  if (params === undefined) return undefined
  if (member.kind === 'item') {
    const value = serializeBareItem(member.value)
    return value === undefined ? undefined : value + params
  }
  const items: string[] = []
  for (const item of member.items) {
    const text = serializeMember(item)
    if (text === undefined) return undefined
    items.push(text)
  }
  return `(${items.join(' ')})${params}`
}

/**
 * Serializes an sf-list.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.1
 */
export function serializeList(list: SfList): string | undefined {
  const out: string[] = []
  for (const member of list) {
    const text = serializeMember(member)
    if (text === undefined) return undefined
    out.push(text)
  }
  return out.join(', ')
}

/**
 * Serializes an sf-dictionary; Boolean true members are written as the bare key.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.2
 */
export function serializeDictionary(dict: SfDictionary): string | undefined {
  const out: string[] = []
  for (const [key, member] of dict) {
    if (!KEY.test(key)) return undefined
    if (member.kind === 'item' && member.value.type === 'boolean' && member.value.value) {
      const params = serializeParameters(member.params)
      if (params === undefined) return undefined
      out.push(key + params)
      continue
    }
    const text = serializeMember(member)
    if (text === undefined) return undefined
    out.push(`${key}=${text}`)
  }
  return out.join(', ')
}
