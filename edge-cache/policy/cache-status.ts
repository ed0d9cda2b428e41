/**
 * @module cache-status
 * The Cache-Status response field (RFC 9211): an sf-list with one member per cache, in
 * order from the origin towards the client, each a cache name with parameters.
 */

import { getField, splitList } from './fields'
import {
  type BareItem,
  type Member,
  type Parameters,
  parseItem,
  parseList,
} from './structured-fields'
import { isSfToken, serializeList } from './structured-fields-serialize'

export type ForwardReason =
  | 'bypass'
  | 'method'
  | 'uri-miss'
  | 'vary-miss'
  | 'miss'
  | 'request'
  | 'stale'
  | 'partial'

export interface CacheStatusEntry {
  cache: string
  hit?: boolean
  fwd?: ForwardReason
  fwdStatus?: number
  ttl?: number
  stored?: boolean
  collapsed?: boolean
  key?: string
  detail?: string
}

/** Forward reasons defined by RFC 9211 §2.2. */
export const FORWARD_REASONS: ReadonlySet<string> = new Set([
  'bypass',
  'method',
  'uri-miss',
  'vary-miss',
  'miss',
  'request',
  'stale',
  'partial',
])

const MAX_INTEGER = 999_999_999_999_999

/** Replaces characters an sf-string cannot carry (outside printable ASCII) with '?'. */
function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?')
}

function text(value: string): BareItem {
  const clean = printable(value)
  return isSfToken(clean) ? { type: 'token', value: clean } : { type: 'string', value: clean }
}

function integer(value: number | undefined): BareItem | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined
  const n = Math.trunc(value)
  return { type: 'integer', value: Math.max(-MAX_INTEGER, Math.min(MAX_INTEGER, n)) || 0 }
}

function toMember(entry: CacheStatusEntry): Member {
  const params: Parameters = new Map()
  const flag: BareItem = { type: 'boolean', value: true }
  if (entry.hit) params.set('hit', flag)
  if (entry.fwd && FORWARD_REASONS.has(entry.fwd))
    params.set('fwd', { type: 'token', value: entry.fwd })
  const fwdStatus = integer(entry.fwdStatus)
  if (fwdStatus) params.set('fwd-status', fwdStatus)
  const ttl = integer(entry.ttl)
  if (ttl) params.set('ttl', ttl)
  if (entry.stored) params.set('stored', flag)
  if (entry.collapsed) params.set('collapsed', flag)
  if (entry.key !== undefined) params.set('key', { type: 'string', value: printable(entry.key) })
  if (entry.detail !== undefined) params.set('detail', text(entry.detail))
  return { kind: 'item', value: text(entry.cache), params }
}

/**
 * Serializes Cache-Status entries (first = closest to the origin). The cache name is a token
 * when it can be, else a string; false booleans are omitted (Boolean parameters are written
 * bare when true); ttl and fwd-status are truncated to Integers; key is a
 * String and detail a Token or String; unknown fwd values are dropped; characters outside
 * printable ASCII become '?'.
 * @see https://www.rfc-editor.org/rfc/rfc9211#section-2
 */
export function formatCacheStatus(entries: CacheStatusEntry[]): string {
  return spaceParameters(serializeList(entries.map(toMember)) ?? '')
}

/**
 * Writes `; ` between parameters, as RFC 9211's own examples do (`ExampleCache; hit; ttl=30`).
 * RFC 8941 §4.2.3.2 lets parsers skip spaces after `;`, so this is still a valid sf-list.
 */
function spaceParameters(serialized: string): string {
  let out = ''
  let quoted = false
  for (let i = 0; i < serialized.length; i++) {
    const c = serialized[i]
    if (quoted && c === '\\') {
      out += c + (serialized[++i] ?? '')
      continue
    }
    if (c === '"') quoted = !quoted
    out += c === ';' && !quoted ? '; ' : c
  }
  return out
}

function stringOf(item: BareItem | undefined): string | undefined {
  return item?.type === 'string' || item?.type === 'token' ? item.value : undefined
}

function fromMember(member: Member): CacheStatusEntry | undefined {
  if (member.kind !== 'item') return undefined
  const cache = stringOf(member.value)
  if (cache === undefined) return undefined
  const entry: CacheStatusEntry = { cache }
  const p = member.params
  const bool = (key: string) => {
    const v = p.get(key)
    return v?.type === 'boolean' ? v.value : undefined
  }
  const int = (key: string) => {
    const v = p.get(key)
    return v?.type === 'integer' ? v.value : undefined
  }
  const hit = bool('hit')
  if (hit !== undefined) entry.hit = hit
  const fwd = p.get('fwd')
  if (fwd?.type === 'token' && FORWARD_REASONS.has(fwd.value)) {
    entry.fwd = fwd.value as ForwardReason
  }
  const fwdStatus = int('fwd-status')
  if (fwdStatus !== undefined) entry.fwdStatus = fwdStatus
  const ttl = int('ttl')
  if (ttl !== undefined) entry.ttl = ttl
  const stored = bool('stored')
  if (stored !== undefined) entry.stored = stored
  const collapsed = bool('collapsed')
  if (collapsed !== undefined) entry.collapsed = collapsed
  const key = p.get('key')
  if (key?.type === 'string') entry.key = key.value
  const detail = stringOf(p.get('detail'))
  if (detail !== undefined) entry.detail = detail
  return entry
}

/**
 * Parses a Cache-Status value tolerantly: as an sf-list when valid, otherwise member by
 * member (split on commas outside quotes), skipping members that do not parse. Parameters
 * of the wrong type and unknown parameters are ignored.
 * @see https://www.rfc-editor.org/rfc/rfc9211#section-2
 */
export function parseCacheStatus(value: string | null): CacheStatusEntry[] {
  if (typeof value !== 'string') return []
  const list = parseList(value) ?? salvage(value)
  return list.map(fromMember).filter((e): e is CacheStatusEntry => e !== undefined)
}

function salvage(value: string): Member[] {
  return splitList(value)
    .map((member) => parseItem(member))
    .filter((m): m is NonNullable<typeof m> => m !== undefined)
}

/**
 * Appends this cache's entry to an existing Cache-Status: members are ordered from the cache
 * closest to the origin to the one closest to the client, and existing members are
 * preserved (re-serialized from whatever could be parsed).
 * @see https://www.rfc-editor.org/rfc/rfc9211#section-2
 */
export function appendCacheStatus(headers: Headers, entry: CacheStatusEntry): string {
  return formatCacheStatus([...parseCacheStatus(getField(headers, 'cache-status')), entry])
}
