/**
 * @module tags
 * Cache tags used for grouped purges: Cache-Tag (comma-separated), Surrogate-Key
 * (space-separated) and Cache-Groups (RFC 9875, an sf-list of Strings).
 */

import { getField, splitList } from './fields'
import { parseList } from './structured-fields'

/** Fields that carry tags, in the order their tags are collected. */
export const TAG_FIELDS: readonly string[] = ['cache-tag', 'surrogate-key', 'cache-groups']

/** Longest tag kept, in characters. */
export const MAX_TAG_LENGTH = 1024

const PRINTABLE = /^[\x20-\x7e]+$/

/**
 * Cache-Groups: "The Cache-Groups response header field is a List of Strings" - members that
 * are not Strings are ignored, and a field that fails to parse as a List is ignored whole.
 * @see https://www.rfc-editor.org/rfc/rfc9875#section-2
 */
export function cacheGroups(headers: Headers): string[] {
  return stringList(headers, 'cache-groups')
}

/**
 * Cache-Group-Invalidation: a List of Strings naming groups to invalidate, sent on a response
 * to an unsafe request.
 * @see https://www.rfc-editor.org/rfc/rfc9875#section-3
 */
export function cacheGroupInvalidation(headers: Headers): string[] {
  return stringList(headers, 'cache-group-invalidation')
}

function stringList(headers: Headers, field: string): string[] {
  const value = getField(headers, field)
  if (value === null) return []
  const list = parseList(value) ?? []
  const out: string[] = []
  for (const member of list) {
    if (member.kind === 'item' && member.value.type === 'string') out.push(member.value.value)
  }
  return out
}

/**
 * All tags of a response: Cache-Tag members, Surrogate-Key words and Cache-Groups strings,
 * trimmed, deduplicated (first occurrence wins, case preserved), and dropped when empty,
 * longer than {@link MAX_TAG_LENGTH} or not printable ASCII.
 * @see https://www.rfc-editor.org/rfc/rfc9875#section-2
 */
export function cacheTags(headers: Headers): string[] {
  const candidates = [
    ...splitList(getField(headers, 'cache-tag') ?? ''),
    ...(getField(headers, 'surrogate-key') ?? '').split(/[ \t]+/),
    ...cacheGroups(headers),
  ]
  const tags = new Set<string>()
  for (const raw of candidates) {
    const tag = raw.trim()
    if (tag.length <= MAX_TAG_LENGTH && PRINTABLE.test(tag)) tags.add(tag)
  }
  return [...tags]
}
