/**
 * @module test/support/structured-fields
 * Fixture builders for RFC 8941 Structured Field values, shared by the parser and serializer
 * tests.
 */
import type { BareItem, Item } from '../../edge-cache/policy/structured-fields'

/** An Item with `value` and, in order, the parameters `params`. */
export const item = (value: BareItem, params: [string, BareItem][] = []): Item => ({
  kind: 'item',
  value,
  params: new Map(params),
})
export const int = (value: number): BareItem => ({ type: 'integer', value })
export const tok = (value: string): BareItem => ({ type: 'token', value })
export const str = (value: string): BareItem => ({ type: 'string', value })
export const TRUE: BareItem = { type: 'boolean', value: true }
