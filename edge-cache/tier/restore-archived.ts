/**
 * @module tier/restore-archived
 * What a tier shard does when a fill meets an archived object: starts one restore per object
 * (claimed in the shard's SQLite, so concurrent and later requests do not start another while
 * it stands) and answers with `ObjectRestoringError`, which the client sees as 503 with
 * `Retry-After` (edge-cache/errors.ts).
 * @see tier/archival.ts
 */
import type { ArchivedObjectError } from '../../origin/errors'
import type { Origin, OriginRequest } from '../../origin/types'
import { logError, logJson } from '../tracing/log'
import { receivedTrace } from '../tracing/trace-context'
import {
  DEFAULT_ARCHIVAL,
  ObjectRestoringError,
  restoreRetryAfterSeconds,
  restoreWindowMs,
  type TierArchival,
} from './archival'
import type { RestoresStore } from './restores-store'

/**
 * @param archived what the origin threw
 * @param origin the origin that threw it (its `restore` starts the restore)
 * @param request the origin request that met the archived object
 * @param archival the route's restore settings, if it has any
 * @param store the shard's record of restores
 * @param now the current time (ms)
 * @returns the error to answer the request with: `ObjectRestoringError` while a restore stands,
 *   the restore call's own failure when it could not be started, or `archived` itself when the
 *   origin cannot restore
 */
export async function restoreArchived(
  archived: ArchivedObjectError,
  origin: Origin,
  request: OriginRequest,
  archival: TierArchival | undefined,
  store: RestoresStore,
  now: number
): Promise<Error> {
  if (!origin.restore) return archived
  const settings = archival ?? DEFAULT_ARCHIVAL
  const key = `s3://${archived.bucket}/${archived.key}`
  const claim = store.claim(key, now, restoreWindowMs(settings, archived.storageClass))
  const what = request.path
  let retryAfter = restoreRetryAfterSeconds(
    archived.storageClass,
    settings.restoreTier,
    claim.startedAt,
    now
  )
  if (claim.start) {
    try {
      const state = await origin.restore(request, {
        days: settings.restoreDays,
        tier: settings.restoreTier,
      })
      logJson('log', { restore: state, object: key, tier: settings.restoreTier })
      if (state === 'restored') {
        // Readable already (restored in the meantime): nothing stands, the next request reads it.
        store.release(key)
        retryAfter = 1
      }
    } catch (error) {
      store.release(key)
      logError(
        'tier: restore could not be started',
        key,
        error,
        receivedTrace(request.headers.get('traceparent'))
      )
      return error instanceof Error ? error : archived
    }
  }
  return new ObjectRestoringError(what, archived.storageClass, retryAfter, { cause: archived })
}
