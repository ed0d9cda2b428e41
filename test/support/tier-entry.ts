/**
 * A tier shard's stored entry as plain data, for the pure tier modules' tests: a 200 stored at
 * `at` with these response fields (a Date of `at` unless given).
 */
import type { TierEntry } from '../../edge-cache/tier/tier-store'

export function tierEntry(
  headers: Record<string, string>,
  at: number,
  extra: Partial<TierEntry> = {}
): TierEntry {
  return {
    key: 'https://a.test/x',
    meta: {
      status: 200,
      requestTime: at,
      responseTime: at,
      vary: [],
      varyKey: '',
      tags: [],
      purgeSeq: 0,
    },
    headers: Object.entries({ date: new Date(at).toUTCString(), ...headers }),
    bodyId: 'body-1',
    size: 0,
    chunks: 0,
    ...extra,
  }
}
