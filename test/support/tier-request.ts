/**
 * What an edge sends a tier shard, for tests that call shards directly: a plain GET of `path`
 * on `host` from the test HTTP origin, no residency, nothing purged.
 */
import type { TierRequest } from '../../edge-cache/tier/protocol'
import { NO_GRANTS } from '../../origin/dependencies'

export function tierRequest(
  originUrl: string,
  host: string,
  path: string,
  extra: Partial<TierRequest> = {}
): TierRequest {
  const zone = host.split('.')[0] ?? host
  return {
    key: `https://${host}${path}`,
    headers: [],
    origin: { kind: 'http', url: originUrl },
    grants: NO_GRANTS,
    originPath: path,
    search: '',
    allowSetCookie: false,
    rules: [],
    purge: { zone, minSeq: 0 },
    ...extra,
  }
}
