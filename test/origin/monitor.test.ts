/**
 * Active health decisions: judging one probe, and up/down counts over consecutive probes.
 * @see origin/monitor.ts
 */
import { describe, it } from 'vitest'
import { afterProbe, judgeAnswer, type MonitorState, UNPROBED } from '../../origin/monitor'
import { monitorSpecSchema } from '../../schemas/api/monitor'

const spec = monitorSpecSchema.parse({ path: '/healthz', upCount: 2, downCount: 3 })

describe('judgeAnswer', () => {
  it.for([
    [200, undefined, {}, undefined],
    [503, undefined, {}, 'status 503'],
    [204, undefined, { expectedCodes: [200, 204] }, undefined],
    [200, 'all ok', { expectBody: 'ok' }, undefined],
    [200, 'degraded', { expectBody: 'ok' }, 'body lacks "ok"'],
    [200, undefined, { expectBody: 'ok' }, 'body lacks "ok"'],
  ] as const)('%d %j with %j → %s', ([status, body, extra, expected], { expect }) => {
    expect(judgeAnswer(status, body, monitorSpecSchema.parse({ ...extra }))).toBe(expected)
  })
})

describe('afterProbe', () => {
  const run = (oks: boolean[]) => {
    let state: MonitorState = UNPROBED
    const transitions: { at: number; healthy: boolean }[] = []
    oks.forEach((ok, at) => {
      const next = afterProbe(state, { at, ok, ms: 1, ...(!ok && { reason: 'x' }) }, spec)
      state = next.state
      if (next.transition) transitions.push({ at, healthy: next.transition.healthy })
    })
    return { state, transitions }
  }

  it('takes an origin out after downCount bad probes in a row, not before', ({ expect }) => {
    expect(run([false, false]).state.healthy).toBe(true)
    expect(run([false, false, true, false, false]).state.healthy).toBe(true)
    expect(run([false, false, false]).transitions).toEqual([{ at: 2, healthy: false }])
  })

  it('brings it back after upCount good probes in a row', ({ expect }) => {
    const { state, transitions } = run([false, false, false, true, false, true, true])
    expect(state).toMatchObject({ healthy: true, since: 6 })
    expect(transitions).toEqual([
      { at: 2, healthy: false },
      { at: 6, healthy: true },
    ])
  })

  it('counts an unprobed origin as up', ({ expect }) => {
    expect(UNPROBED.healthy).toBe(true)
    expect(run([true, true, true]).transitions).toEqual([])
  })
})
