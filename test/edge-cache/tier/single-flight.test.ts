import { describe, it } from 'vitest'
import { SingleFlight } from '../../../edge-cache/tier/single-flight'

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined
  let reject: (error: unknown) => void = () => undefined
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets pending promise reactions run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('SingleFlight', () => {
  it('runs the work once for callers that come while it is open', async ({ expect }) => {
    const flights = new SingleFlight<string>()
    const work = deferred<string>()
    let started = 0
    const start = () => {
      started++
      return work.promise
    }
    const leader = flights.run('k', start)
    const joiner = flights.run('k', start)
    expect(leader.joined).toBe(false)
    expect(joiner.joined).toBe(true)
    work.resolve('body')
    expect(await leader.result).toBe('body')
    expect(await joiner.result).toBe('body')
    expect(started).toBe(1)
  })

  it('keeps keys apart', ({ expect }) => {
    const flights = new SingleFlight<string>()
    const a = flights.run('a', () => new Promise(() => undefined))
    const b = flights.run('b', () => new Promise(() => undefined))
    expect(a.joined).toBe(false)
    expect(b.joined).toBe(false)
  })

  it('closes once the work settles unless openUntil holds it open', async ({ expect }) => {
    const flights = new SingleFlight<string>()
    await flights.run('k', async () => 'done').result
    await settled()
    expect(flights.isOpen('k')).toBe(false)
    expect(flights.run('k', async () => 'again').joined).toBe(false)
  })

  it('takes joiners until openUntil resolves (a body still being written)', async ({ expect }) => {
    const written = deferred<void>()
    const flights = new SingleFlight<string>((result) =>
      result === 'streaming' ? written.promise : undefined
    )
    let started = 0
    const start = async () => {
      started++
      return 'streaming'
    }
    await flights.run('k', start).result
    await settled()
    expect(flights.run('k', start).joined).toBe(true)
    written.resolve()
    await settled()
    expect(flights.isOpen('k')).toBe(false)
    expect(flights.run('k', start).joined).toBe(false)
    expect(started).toBe(2)
  })

  it('closes a flight whose work failed, and joiners see the failure', async ({ expect }) => {
    const flights = new SingleFlight<string>()
    const work = deferred<string>()
    const leader = flights.run('k', () => work.promise)
    const joiner = flights.run('k', () => work.promise)
    work.reject(new Error('origin down'))
    await expect(leader.result).rejects.toThrow('origin down')
    await expect(joiner.result).rejects.toThrow('origin down')
    await settled()
    expect(flights.isOpen('k')).toBe(false)
  })
})
