/**
 * @module purge/purge-view
 * Each isolate's view of every zone's purge log, refreshed when older than the staleness bound
 * (default 1 s) or when a caller needs at least a given sequence. One refresh per zone at a time;
 * a refresh that fails keeps the previous view (and is logged).
 */
import { joinShared } from '../join-shared'
import { logError } from '../tracing/log'
import { PurgeIndex, type PurgeSnapshot } from './purge-index'

/**
 * A snapshot as read, with when it was asked for when that is earlier than the read (an answer
 * another isolate of the PoP fetched and shared): the view's age counts from then.
 */
export type ReadSnapshot = PurgeSnapshot & { askedAt?: number }

export interface PurgeLogReader {
  /**
   * @param ahead the caller is refreshing ahead of the bound and does not wait: a reader may
   *   take the time to return its freshest answer
   */
  snapshot(after: number, ahead?: boolean): Promise<ReadSnapshot>
}

/** Refreshing a view before it reaches the bound, so no request waits for the log. */
export interface RefreshAhead {
  /** A view at least this old (ms) is refreshed in the background while it is still served. */
  afterMs: number
  /** Keeps the background refresh alive past the request that started it. */
  keepAlive(promise: Promise<unknown>): void
}

interface View {
  index: PurgeIndex
  fetchedAt: number
  /** When a request of this isolate last needed the view. */
  usedAt: number
  refreshing?: Promise<PurgeIndex>
}

const views = new Map<string, View>()

/**
 * @param zone the zone whose log is read
 * @param log the zone's purge log
 * @param now current time in ms
 * @param maxStalenessMs how old a view may be
 * @param minSeq the view must include at least this sequence (a caller that has seen it)
 * @param ahead without it, a view is refreshed only once it is older than the bound, and the
 *   request that finds it so waits for the log
 * @returns the zone's purge index
 */
export async function purgeView(
  zone: string,
  log: () => PurgeLogReader,
  now: number,
  maxStalenessMs: number,
  minSeq = 0,
  ahead?: RefreshAhead
): Promise<PurgeIndex> {
  const view = views.get(zone)
  if (view) view.usedAt = now
  if (view && now - view.fetchedAt <= maxStalenessMs && view.index.seq >= minSeq) {
    if (ahead && !view.refreshing && now - view.fetchedAt >= ahead.afterMs) {
      ahead.keepAlive(startRefresh(zone, view, log(), now, true))
    }
    return view.index
  }
  if (view?.refreshing) return joinShared(view.refreshing)
  const refreshing = startRefresh(zone, view, log(), now, false)
  if (!view)
    views.set(zone, {
      index: emptyIndex(),
      fetchedAt: Number.NEGATIVE_INFINITY,
      usedAt: now,
      refreshing,
    })
  return refreshing
}

/** Reads the log for the zone's view and installs the answer; marks the view as refreshing. */
function startRefresh(
  zone: string,
  view: View | undefined,
  log: PurgeLogReader,
  now: number,
  ahead: boolean
): Promise<PurgeIndex> {
  const refreshing = refresh(view, log, ahead)
    .then(({ index, askedAt }) => {
      views.set(zone, { index, fetchedAt: Math.min(now, askedAt ?? now), usedAt: now })
      return index
    })
    .catch((error: unknown) => {
      // Serving on is better than failing every request; the next call tries again.
      logError(`purge log of zone ${zone} unreachable; using the last view`, undefined, error)
      const current = views.get(zone)
      if (current) current.refreshing = undefined
      return current?.index ?? emptyIndex()
    })
  if (view) view.refreshing = refreshing
  return refreshing
}

async function refresh(
  view: View | undefined,
  log: PurgeLogReader,
  ahead: boolean
): Promise<{ index: PurgeIndex; askedAt: number | undefined }> {
  if (view) {
    const delta = await log.snapshot(view.index.seq, ahead)
    if (view.index.extend(delta)) return { index: view.index, askedAt: delta.askedAt }
  }
  const whole = await log.snapshot(0, ahead)
  return { index: new PurgeIndex(whole), askedAt: whole.askedAt }
}

function emptyIndex(): PurgeIndex {
  return new PurgeIndex({ seq: 0, floor: 0, records: [] })
}

/**
 * Takes records the log pushed: the zone's view extends and counts as fresh from `now`. A view
 * behind `prevSeq` (it missed a push) or of another floor is marked stale instead, so that the
 * next use catches up from the log before anything is served from it.
 * @returns whether the push was applied
 */
export function applyPush(
  zone: string,
  prevSeq: number,
  snapshot: PurgeSnapshot,
  now: number
): boolean {
  const view = views.get(zone)
  if (!view) {
    if (prevSeq !== 0 || snapshot.floor !== 0) return false
    views.set(zone, { index: new PurgeIndex(snapshot), fetchedAt: now, usedAt: now })
    return true
  }
  if (view.refreshing) {
    // A refresh that read the log before these records: apply them once it lands.
    void view.refreshing.then(() => applyPush(zone, prevSeq, snapshot, now))
    return true
  }
  if (view.index.seq < prevSeq || !view.index.extend(snapshot)) {
    view.fetchedAt = Number.NEGATIVE_INFINITY
    return false
  }
  view.fetchedAt = Math.max(view.fetchedAt, now)
  return true
}

/** A view this isolate holds: its zone, the sequence it has, when it was fetched and last used. */
export interface HeldView {
  zone: string
  after: number
  fetchedAt: number
  usedAt: number
}

/**
 * @param olderThan only views fetched before this time
 * @returns the zones this isolate holds a settled view of
 */
export function heldViews(olderThan: number): HeldView[] {
  const held: HeldView[] = []
  for (const [zone, view] of views) {
    if (!view.refreshing && view.fetchedAt < olderThan)
      held.push({ zone, after: view.index.seq, fetchedAt: view.fetchedAt, usedAt: view.usedAt })
  }
  return held
}
