/**
 * @module secondary-key
 * The secondary cache key every tier computes the same way: '' for a response without Vary.
 */
import { varyKey } from './policy'

export function secondaryKey(fields: readonly string[], requestHeaders: Headers): string {
  return fields.length === 0 ? '' : varyKey([...fields], requestHeaders)
}
