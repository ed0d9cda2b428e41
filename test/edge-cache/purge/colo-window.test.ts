import { describe, expect, it } from 'vitest'
import {
  type ColoWindow,
  nextWindow,
  parseWindow,
  WINDOW_HISTORY_MS,
  WINDOW_ZONE_KEEP_MS,
  type WindowZone,
  windowAsks,
  windowDecision,
  windowDelta,
} from '../../../edge-cache/purge/colo-window'
import type { PurgeRecord } from '../../../edge-cache/purge/purge-index'

const T = 1_000_000
const BOUND = 50

function record(seq: number): PurgeRecord {
  return { seq, kind: 'url', value: `h/${seq}`, soft: false }
}

function zoneOf(from: number, seq: number, extra: Partial<WindowZone> = {}): WindowZone {
  const records = Array.from({ length: seq - from }, (_, i) => record(from + i + 1))
  return { seq, floor: 0, records, from, mark: seq, markedAt: T, neededAt: T, ...extra }
}

function windowAt(askedAt: number, zones: Record<string, WindowZone>): ColoWindow {
  return { askedAt, zones }
}

describe('windowDecision', () => {
  const window = windowAt(T, { a: zoneOf(10, 12) })
  it.each([
    ['no window', undefined, 'a', 12, T, 0, 'ask'],
    ['a zone the window lacks', window, 'b', 0, T, 0, 'ask'],
    ['an isolate behind the history', window, 'a', 9, T, 0, 'ask'],
    ['a window as old as the bound', window, 'a', 12, T + BOUND, 0, 'ask'],
    ['a young window', window, 'a', 12, T + 10, 0, 'use'],
    ['a window just past half the bound', window, 'a', 10, T + 25, 0, 'use-and-refresh'],
    [
      'a window near half the bound, with this isolate first',
      window,
      'a',
      10,
      T + 21,
      5,
      'use-and-refresh',
    ],
    ['a window near half the bound, with another isolate first', window, 'a', 10, T + 21, 1, 'use'],
    ['a window written a little after now (clock skew)', window, 'a', 12, T - 3, 0, 'use'],
  ] as const)('%s: %s', (_, w, zone, after, now, jitter, expected) => {
    expect(windowDecision(w, zone, after, now, BOUND, jitter)).toBe(expected)
  })

  it('never lets a view be older than the bound: every use is younger than it', () => {
    for (let age = 0; age <= 2 * BOUND; age++) {
      const use = windowDecision(window, 'a', 12, T + age, BOUND, 4)
      if (use !== 'ask') expect(age).toBeLessThan(BOUND)
    }
  })
})

describe('windowDelta', () => {
  it('gives the records after the isolate sequence with the window seq and floor', () => {
    const window = windowAt(T, { a: zoneOf(10, 13, { floor: 3 }) })
    expect(windowDelta(window, 'a', 11)).toEqual({
      seq: 13,
      floor: 3,
      records: [record(12), record(13)],
    })
    expect(windowDelta(window, 'a', 13).records).toEqual([])
  })

  it('refuses a zone the window does not hold', () => {
    expect(() => windowDelta(windowAt(T, {}), 'a', 0)).toThrow(TypeError)
  })
})

describe('windowAsks', () => {
  it('asks only for what is new of zones the window holds, and adds the isolate zones', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12), b: zoneOf(0, 3) })
    expect(
      windowAsks(
        prev,
        [
          { zone: 'a', after: 11 },
          { zone: 'c', after: 4 },
        ],
        T + 30
      )
    ).toEqual([
      { zone: 'a', after: 12 },
      { zone: 'b', after: 3 },
      { zone: 'c', after: 4 },
    ])
  })

  it('asks from the isolate sequence when it is behind the window, widening it', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12) })
    expect(windowAsks(prev, [{ zone: 'a', after: 4 }], T + 30)).toEqual([{ zone: 'a', after: 4 }])
  })

  it('drops zones no isolate needed within the keep time', () => {
    const prev = windowAt(T, {
      a: zoneOf(0, 2),
      old: zoneOf(0, 2, { neededAt: T - WINDOW_ZONE_KEEP_MS - 1 }),
    })
    expect(windowAsks(prev, [], T)).toEqual([{ zone: 'a', after: 2 }])
  })

  it('asks for the needed zone alone without a window', () => {
    expect(windowAsks(undefined, [{ zone: 'a', after: 0 }], T)).toEqual([{ zone: 'a', after: 0 }])
  })
})

describe('nextWindow', () => {
  it('starts a zone at the sequence it was asked from', () => {
    const next = nextWindow(
      undefined,
      [{ zone: 'a', after: 5 }],
      [{ seq: 7, floor: 0, records: [record(6), record(7)] }],
      T,
      new Set(['a'])
    )
    expect(next).toEqual({
      askedAt: T,
      zones: {
        a: {
          seq: 7,
          floor: 0,
          records: [record(6), record(7)],
          from: 5,
          mark: 7,
          markedAt: T,
          neededAt: T,
        },
      },
    })
  })

  it('joins an answer to what the window held, keeping its history', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12) })
    const next = nextWindow(
      prev,
      [{ zone: 'a', after: 12 }],
      [{ seq: 13, floor: 0, records: [record(13)] }],
      T + 25,
      new Set()
    )
    expect(next.askedAt).toBe(T + 25)
    expect(next.zones.a).toMatchObject({ from: 10, seq: 13, neededAt: T })
    expect(next.zones.a?.records.map((r) => r.seq)).toEqual([11, 12, 13])
  })

  it('widens the history when asked from further back, without duplicates', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12) })
    const answer = { seq: 13, floor: 0, records: [9, 10, 11, 12, 13].map(record) }
    const next = nextWindow(prev, [{ zone: 'a', after: 8 }], [answer], T + 25, new Set(['a']))
    expect(next.zones.a?.from).toBe(8)
    expect(next.zones.a?.records.map((r) => r.seq)).toEqual([9, 10, 11, 12, 13])
    expect(next.zones.a?.neededAt).toBe(T + 25)
  })

  it('rolls the history forward once it spans the history time, never past the newest', () => {
    const prev = windowAt(T, { a: zoneOf(0, 12, { mark: 10, markedAt: T }) })
    const next = nextWindow(
      prev,
      [{ zone: 'a', after: 12 }],
      [{ seq: 14, floor: 0, records: [record(13), record(14)] }],
      T + WINDOW_HISTORY_MS,
      new Set()
    )
    expect(next.zones.a).toMatchObject({ from: 10, mark: 14, markedAt: T + WINDOW_HISTORY_MS })
    expect(next.zones.a?.records.map((r) => r.seq)).toEqual([11, 12, 13, 14])
    const early = nextWindow(
      prev,
      [{ zone: 'a', after: 12 }],
      [{ seq: 12, floor: 0, records: [] }],
      T + WINDOW_HISTORY_MS - 1,
      new Set()
    )
    expect(early.zones.a?.from).toBe(0)
  })

  it('starts a zone over when the log was compacted (another floor)', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12) })
    const next = nextWindow(
      prev,
      [{ zone: 'a', after: 12 }],
      [{ seq: 14, floor: 13, records: [record(14)] }],
      T + 25,
      new Set()
    )
    expect(next.zones.a).toMatchObject({ from: 12, floor: 13, seq: 14 })
    expect(next.zones.a?.records.map((r) => r.seq)).toEqual([14])
  })

  it('keeps the window seq when a relay answers behind it', () => {
    const prev = windowAt(T, { a: zoneOf(10, 12) })
    const next = nextWindow(
      prev,
      [{ zone: 'a', after: 12 }],
      [{ seq: 11, floor: 0, records: [] }],
      T + 25,
      new Set()
    )
    expect(next.zones.a?.seq).toBe(12)
  })
})

describe('parseWindow', () => {
  it('round-trips a window', () => {
    const window = windowAt(T, { a: zoneOf(1, 3) })
    expect(parseWindow(JSON.stringify(window))).toEqual(window)
  })

  it.each(['', 'null', '[]', '{"askedAt":"x","zones":{}}', '{"askedAt":1}', '{'])(
    'reads %o as no window',
    (text) => {
      expect(parseWindow(text)).toBeUndefined()
    }
  )
})
