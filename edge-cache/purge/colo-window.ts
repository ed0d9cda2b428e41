/**
 * @module purge/colo-window
 * A PoP's shared answer from one relay. Isolates of a PoP share its Cache API, so the last
 * answer of the PoP's relay (for every zone of that relay the PoP serves) is kept there as a
 * window: an isolate whose view is past its bound takes the window when it is young enough, and
 * only one isolate per PoP asks the relay again, early, in the background, once the window is
 * half the bound old. A view taken from a window counts as fetched when the window was asked
 * for, so no view is ever older than the bound.
 *
 * A window keeps, per zone, every record after `from`, a sequence that rolls forward every
 * WINDOW_HISTORY_MS: an isolate that refreshed within that catches up from the window, one that
 * did not (or has no view) asks the relay itself and widens the window for the others.
 * Pure decisions and merging; the Cache API and the relay call are in
 * workers/purge-relay-client.ts.
 */
import type { PurgeRecord, PurgeSnapshot } from './purge-index'

/** A window's records reach back at least this far (and at most twice as far). */
export const WINDOW_HISTORY_MS = 2_000
/** A zone that no refreshing isolate of the PoP used for this long leaves the window. */
export const WINDOW_ZONE_KEEP_MS = 60_000
/** Share of the bound a window may age before one isolate refreshes it (in the background). */
export const WINDOW_REFRESH_SHARE = 0.5
/** Up to this share of the bound earlier, by each isolate's own draw: one isolate goes first. */
export const WINDOW_JITTER_SHARE = 0.05

export interface WindowZone extends PurgeSnapshot {
  /** `records` holds every record after this sequence. */
  from: number
  /** The sequence `from` moves to at the next roll, and when it was the newest. */
  mark: number
  markedAt: number
  /** When a refreshing isolate of the PoP last needed the zone. */
  neededAt: number
}

export interface ColoWindow {
  /** When the relay was asked: the age of every view taken from the window counts from here. */
  askedAt: number
  zones: Record<string, WindowZone>
}

/** What an isolate does with the window it read. */
export type WindowUse = 'use' | 'use-and-refresh' | 'ask'

/** One zone asked of the relay: the records after `after`. */
export interface WindowAsk {
  zone: string
  after: number
}

/**
 * @param window the PoP's window of the zone's relay, if any
 * @param zone the zone the isolate needs
 * @param after the sequence the isolate's view of the zone holds
 * @param now current time, ms
 * @param boundMs the purge bound: no view may be older
 * @param jitterMs this isolate's head start on the refresh
 * @returns 'ask' when the window cannot serve the isolate (absent, too old, zone missing, or the
 * isolate is behind its history); 'use-and-refresh' when it can but is due for a refresh
 */
export function windowDecision(
  window: ColoWindow | undefined,
  zone: string,
  after: number,
  now: number,
  boundMs: number,
  jitterMs: number
): WindowUse {
  const held = window?.zones[zone]
  if (!window || !held || after < held.from) return 'ask'
  const age = Math.max(0, now - window.askedAt)
  if (age >= boundMs) return 'ask'
  return age >= boundMs * WINDOW_REFRESH_SHARE - jitterMs ? 'use-and-refresh' : 'use'
}

/**
 * @returns the zone's records after `after` as the window holds them (call only when
 * `windowDecision` did not answer 'ask', or on a window just asked for with this `after`)
 */
export function windowDelta(window: ColoWindow, zone: string, after: number): PurgeSnapshot {
  const held = window.zones[zone]
  if (!held) throw new TypeError(`expected the window to hold zone ${zone}`)
  return {
    seq: held.seq,
    floor: held.floor,
    records: held.records.filter((r) => r.seq > after),
  }
}

/**
 * What to ask the relay when refreshing a window: every zone the window holds that was needed
 * within WINDOW_ZONE_KEEP_MS, after the sequence the window has (only what is new), plus the
 * zones the refreshing isolate uses; one it is behind on is asked from its own sequence, which
 * widens the window's history.
 * @param wanted the zones the refreshing isolate uses on this relay, with its sequence of each
 */
export function windowAsks(
  prev: ColoWindow | undefined,
  wanted: readonly WindowAsk[],
  now: number
): WindowAsk[] {
  const asks = new Map<string, number>()
  for (const [zone, held] of Object.entries(prev?.zones ?? {})) {
    if (now - held.neededAt <= WINDOW_ZONE_KEEP_MS) asks.set(zone, held.seq)
  }
  for (const { zone, after } of wanted) {
    const held = prev?.zones[zone]
    asks.set(zone, held && after >= held.from ? held.seq : after)
  }
  return [...asks].map(([zone, after]) => ({ zone, after }))
}

/**
 * The window after a refresh: each zone's answer joined to what the window held (when they
 * meet: same floor, the answer starts within what the window holds), `from` rolled forward
 * once WINDOW_HISTORY_MS have passed since the last roll.
 * @param asks what was asked, in the order of `answers`
 * @param answers the relay's answers
 * @param askedAt when the relay was asked
 * @param wanted the zones the refreshing isolate needed (their `neededAt` becomes `askedAt`)
 */
export function nextWindow(
  prev: ColoWindow | undefined,
  asks: readonly WindowAsk[],
  answers: readonly PurgeSnapshot[],
  askedAt: number,
  wanted: ReadonlySet<string>
): ColoWindow {
  const zones: Record<string, WindowZone> = {}
  for (const [i, ask] of asks.entries()) {
    const answer = answers[i]
    if (!answer) continue
    const old = prev?.zones[ask.zone]
    const neededAt = wanted.has(ask.zone) ? askedAt : (old?.neededAt ?? askedAt)
    zones[ask.zone] = roll(joined(old, ask.after, answer, askedAt, neededAt), askedAt)
  }
  return { askedAt, zones }
}

function joined(
  old: WindowZone | undefined,
  after: number,
  answer: PurgeSnapshot,
  askedAt: number,
  neededAt: number
): WindowZone {
  const fresh = answer.records.filter((r) => r.seq > after)
  if (!old || old.floor !== answer.floor || after > old.seq) {
    return { ...answer, records: fresh, from: after, mark: answer.seq, markedAt: askedAt, neededAt }
  }
  const bySeq = new Map<number, PurgeRecord>()
  for (const record of [...old.records, ...fresh]) bySeq.set(record.seq, record)
  return {
    seq: Math.max(old.seq, answer.seq),
    floor: old.floor,
    records: [...bySeq.values()].sort((a, b) => a.seq - b.seq),
    from: Math.min(old.from, after),
    mark: old.mark,
    markedAt: old.markedAt,
    neededAt,
  }
}

function roll(zone: WindowZone, now: number): WindowZone {
  if (now - zone.markedAt < WINDOW_HISTORY_MS) return zone
  const from = Math.max(zone.from, zone.mark)
  return {
    ...zone,
    from,
    records: zone.records.filter((r) => r.seq > from),
    mark: zone.seq,
    markedAt: now,
  }
}

/** @returns the window a Cache API body holds, or undefined for anything else */
export function parseWindow(text: string): ColoWindow | undefined {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null) return undefined
    const { askedAt, zones } = value as Partial<ColoWindow>
    if (typeof askedAt !== 'number' || typeof zones !== 'object' || zones === null) return undefined
    return { askedAt, zones }
  } catch {
    return undefined
  }
}
