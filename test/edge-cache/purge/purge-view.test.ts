import { describe, expect, it } from 'vitest'
import type { PurgeSnapshot } from '../../../edge-cache/purge/purge-index'
import {
  type PurgeLogReader,
  purgeView,
  type ReadSnapshot,
  type RefreshAhead,
} from '../../../edge-cache/purge/purge-view'

const BOUND_MS = 50

/** A log whose answers the test releases one by one, recording what was asked. */
function scriptedLog() {
  const asked: { after: number; ahead: boolean }[] = []
  const answers: Array<(snapshot: ReadSnapshot) => void> = []
  let seq = 0
  const reader: PurgeLogReader = {
    snapshot(after, ahead = false) {
      asked.push({ after, ahead })
      return new Promise((resolve) => answers.push(resolve))
    },
  }
  return {
    asked,
    reader: () => reader,
    /** Answers the oldest open read with one more purge record, asked at `askedAt`. */
    answer(askedAt: number) {
      seq++
      const snapshot: PurgeSnapshot = {
        seq,
        floor: 0,
        records: [{ seq, kind: 'url', value: `view.test/${seq}`, soft: false }],
      }
      answers.shift()?.({ ...snapshot, askedAt })
    },
  }
}

function ahead(kept: Promise<unknown>[]): RefreshAhead {
  return { afterMs: BOUND_MS / 2, keepAlive: (promise) => kept.push(promise) }
}

/** A view of `zone` fetched at `t0`, through a first read the test answers. */
async function viewAt(zone: string, log: ReturnType<typeof scriptedLog>, t0: number) {
  const first = purgeView(zone, log.reader, t0, BOUND_MS)
  log.answer(t0)
  return first
}

describe('purgeView ahead of the bound', () => {
  it('serves a view past the refresh point at once and refreshes it in the background', async () => {
    const log = scriptedLog()
    const kept: Promise<unknown>[] = []
    const t0 = 1_000_000
    await viewAt('ahead-once', log, t0)

    const served = await purgeView('ahead-once', log.reader, t0 + 30, BOUND_MS, 0, ahead(kept))
    expect(served.seq).toBe(1)
    expect(log.asked).toEqual([
      { after: 0, ahead: false },
      { after: 1, ahead: true },
    ])
    expect(kept).toHaveLength(1)

    // A second request while the refresh runs neither waits nor starts another.
    const again = await purgeView('ahead-once', log.reader, t0 + 31, BOUND_MS, 0, ahead(kept))
    expect(again.seq).toBe(1)
    expect(log.asked).toHaveLength(2)

    log.answer(t0 + 30)
    await Promise.all(kept)
    const refreshed = await purgeView('ahead-once', log.reader, t0 + 45, BOUND_MS, 0, ahead(kept))
    expect(refreshed.seq).toBe(2)
    expect(log.asked).toHaveLength(2)
  })

  it('leaves a view younger than the refresh point alone', async () => {
    const log = scriptedLog()
    const kept: Promise<unknown>[] = []
    const t0 = 2_000_000
    await viewAt('ahead-young', log, t0)
    await purgeView('ahead-young', log.reader, t0 + 24, BOUND_MS, 0, ahead(kept))
    expect(log.asked).toHaveLength(1)
    expect(kept).toHaveLength(0)
  })

  it('makes a request wait for a view past the bound, joining the refresh already running', async () => {
    const log = scriptedLog()
    const kept: Promise<unknown>[] = []
    const t0 = 3_000_000
    await viewAt('ahead-late', log, t0)
    await purgeView('ahead-late', log.reader, t0 + 40, BOUND_MS, 0, ahead(kept))
    let settled = false
    const late = purgeView('ahead-late', log.reader, t0 + 60, BOUND_MS, 0, ahead(kept)).then(
      (index) => {
        settled = true
        return index
      }
    )
    await Promise.resolve()
    expect(settled).toBe(false)
    log.answer(t0 + 40)
    expect((await late).seq).toBe(2)
    expect(log.asked).toHaveLength(2)
  })

  it('refreshes only at the bound without refresh-ahead, the request waiting', async () => {
    const log = scriptedLog()
    const t0 = 4_000_000
    await viewAt('no-ahead', log, t0)
    await purgeView('no-ahead', log.reader, t0 + 49, BOUND_MS)
    expect(log.asked).toHaveLength(1)
    const late = purgeView('no-ahead', log.reader, t0 + 51, BOUND_MS)
    expect(log.asked).toEqual([
      { after: 0, ahead: false },
      { after: 1, ahead: false },
    ])
    log.answer(t0 + 51)
    expect((await late).seq).toBe(2)
  })
})
