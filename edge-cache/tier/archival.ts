/**
 * @module tier/archival
 * Pure decisions for archived objects (S3 GLACIER, DEEP_ARCHIVE): which paths of a route are
 * archival (cached only in the tier, never in L1), whether a restore must be started or one is
 * already under way, and what `Retry-After` to answer while it runs. No I/O: the tier Durable
 * Object (tier/cache-tier.ts) applies them with its SQLite record of restores
 * (tier/restores-store.ts).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects-retrieval-options.html
 */
import type { RestoreTier } from '../../origin/types'
import type { ArchivalSpec } from '../../schemas/api/config'

export type { RestoreTier }

/** What a tier needs to know about a request's route for archived objects. */
export interface TierArchival {
  restoreDays: number
  restoreTier: RestoreTier
  /** A restore started this long ago may be asked for again; default: its expected duration. */
  restoreWindowSeconds?: number
  /** The path is under the route's archival prefix: cache in the tier only, never in L1. */
  tierOnly: boolean
}

/** Restore settings for a route that configures none. */
export const DEFAULT_ARCHIVAL: TierArchival = {
  restoreDays: 1,
  restoreTier: 'Standard',
  tierOnly: false,
}

/**
 * @param spec the route's `archival` option
 * @param path the request path as the client sent it
 * @returns the settings the tier applies, or undefined when the route has none
 */
export function archivalFor(
  spec: ArchivalSpec | undefined,
  path: string
): TierArchival | undefined {
  if (!spec) return undefined
  return {
    restoreDays: spec.restoreDays,
    restoreTier: spec.restoreTier,
    ...(spec.restoreWindowSeconds === undefined
      ? {}
      : { restoreWindowSeconds: spec.restoreWindowSeconds }),
    tierOnly: path.startsWith(spec.prefix),
  }
}

/**
 * How long a restore takes at most, by storage class and tier (AWS's published ranges, upper
 * end). DEEP_ARCHIVE has no Expedited tier; S3 refuses it, so the Standard figure stands in.
 */
export function expectedRestoreSeconds(storageClass: string, tier: RestoreTier): number {
  const deep = storageClass === 'DEEP_ARCHIVE'
  switch (tier) {
    case 'Expedited':
      return deep ? 12 * 3600 : 5 * 60
    case 'Standard':
      return deep ? 12 * 3600 : 5 * 3600
    case 'Bulk':
      return deep ? 48 * 3600 : 12 * 3600
  }
}

/** The shortest `Retry-After` while a restore runs: clients poll no faster than this. */
export const MIN_RESTORE_POLL_SECONDS = 60

/**
 * `Retry-After` while an object is being restored: the time left until the restore is expected
 * to be done, but never less than a polling interval (a restore may outrun its estimate).
 * @param startedAt when the restore was started (ms)
 * @param now the current time (ms)
 */
export function restoreRetryAfterSeconds(
  storageClass: string,
  tier: RestoreTier,
  startedAt: number,
  now: number
): number {
  const left = expectedRestoreSeconds(storageClass, tier) - Math.floor((now - startedAt) / 1000)
  return Math.max(MIN_RESTORE_POLL_SECONDS, left)
}

/** A restore recorded for an object: when it was started. */
export interface RestoreRecord {
  startedAt: number
}

/**
 * Start a restore, or wait for the one already started? Once per object however many clients
 * ask: a recorded restore younger than the window is not started again; an older one is (the
 * store answers "already in progress" if it still runs, or restores the object again if its
 * copy expired).
 * @param record the restore recorded for the object, if any
 * @param now the current time (ms)
 * @param windowMs how long a recorded restore stands
 */
export function decideRestore(
  record: RestoreRecord | undefined,
  now: number,
  windowMs: number
): 'start' | 'wait' {
  if (record === undefined) return 'start'
  return now - record.startedAt < windowMs ? 'wait' : 'start'
}

/** How long a recorded restore stands, in milliseconds. */
export function restoreWindowMs(archival: TierArchival, storageClass: string): number {
  const seconds =
    archival.restoreWindowSeconds ?? expectedRestoreSeconds(storageClass, archival.restoreTier)
  return seconds * 1000
}

/**
 * The object is being restored from archival storage; the client should come back later.
 * Answered 503 with `Retry-After` (edge-cache/errors.ts), never stored.
 */
export class ObjectRestoringError extends Error {
  override readonly name = 'ObjectRestoringError'
  readonly retryAfterSeconds: number
  readonly storageClass: string

  constructor(
    what: string,
    storageClass: string,
    retryAfterSeconds: number,
    options?: { cause?: unknown }
  ) {
    super(`${what} is being restored from archival storage (${storageClass})`, options)
    this.storageClass = storageClass
    this.retryAfterSeconds = retryAfterSeconds
  }
}
