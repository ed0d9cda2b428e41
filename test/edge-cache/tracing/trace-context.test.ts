import { describe, it } from 'vitest'
import {
  continueTrace,
  formatTraceparent,
  parseTraceparent,
  receivedTrace,
} from '../../../edge-cache/tracing/trace-context'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'

describe('parseTraceparent', () => {
  it('reads version 00 and keeps what a later version adds', ({ expect }) => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: '01',
    })
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-00-what-comes-next`)?.traceId).toBe(TRACE)
  })

  it.for([
    [null],
    [''],
    [`ff-${TRACE}-${PARENT}-01`],
    [`00-${'0'.repeat(32)}-${PARENT}-01`],
    [`00-${TRACE}-${'0'.repeat(16)}-01`],
    [`00-${TRACE.toUpperCase()}-${PARENT}-01`],
    [`00-${TRACE}-${PARENT}-01-extra`],
    [`00-${TRACE.slice(1)}-${PARENT}-01`],
  ])('ignores %j', ([value], { expect }) => {
    expect(parseTraceparent(value)).toBeUndefined()
  })
})

describe('continueTrace', () => {
  const counting = (b: Uint8Array) => b.map((_, i) => i + 1)

  it('keeps the client’s trace id and flags, with a new span of the edge', ({ expect }) => {
    const trace = continueTrace(`00-${TRACE}-${PARENT}-00`, counting)
    expect(trace).toEqual({
      traceId: TRACE,
      spanId: '0102030405060708',
      parentId: PARENT,
      flags: '00',
    })
    expect(formatTraceparent(trace)).toBe(`00-${TRACE}-0102030405060708-00`)
  })

  it('starts a sampled trace when the client sent none or a malformed one', ({ expect }) => {
    const trace = continueTrace('garbage')
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(trace.flags).toBe('01')
    expect(continueTrace(undefined).traceId).not.toBe(trace.traceId)
  })
})

describe('receivedTrace', () => {
  it('is the trace and span of the part that sent the request on', ({ expect }) => {
    expect(receivedTrace('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: '01',
    })
  })

  it('is nothing for an absent or invalid field', ({ expect }) => {
    expect(receivedTrace(undefined)).toBeUndefined()
    expect(receivedTrace('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined()
  })
})
