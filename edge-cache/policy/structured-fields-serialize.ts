/**
 * @module structured-fields-serialize
 * Serializers for Structured Field Values (RFC 9651 §4.1). They never throw: they return
 * `undefined` where the RFC says "fail serialization".
 */

import type { BareItem, Member, Parameters, SfDictionary, SfList } from './structured-fields'

const MAX_INTEGER = 999_999_999_999_999
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/
const KEY = /^[a-z*][a-z0-9_\-.*]*$/

/**
 * True when `value` can be serialized as an sf-token.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-3.3.4
 */
export function isSfToken(value: string): boolean {
  return TOKEN.test(value)
}

/**
 * True when `value` can be serialized as an sf-string (printable ASCII only).
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-3.3.3
 */
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
      return isSfToken(item.value) ? item.value : undefined
    case 'byte-sequence':
      return /^[A-Za-z0-9+/=]*$/.test(item.value) ? `:${item.value}:` : undefined
    case 'boolean':
      return item.value ? '?1' : '?0'
    case 'display-string': {
      let out = '%"'
      for (const byte of new TextEncoder().encode(item.value)) {
        const c = String.fromCharCode(byte)
        const encode = byte === 0x25 || byte === 0x22 || byte < 0x20 || byte > 0x7e
        out += encode ? `%${byte.toString(16).padStart(2, '0')}` : c
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

/**
 * Serializes parameters; `undefined` if a key or value cannot be serialized.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.1.2
 */
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
