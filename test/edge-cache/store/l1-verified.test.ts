import { describe, it } from 'vitest'
import { VerifiedEntries } from '../../../edge-cache/store/l1-verified'

function stream(...chunks: number[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const length of chunks) controller.enqueue(new Uint8Array(length))
      controller.close()
    },
  })
}

async function drain(body: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0
  for await (const chunk of body) bytes += chunk.byteLength
  return bytes
}

describe('VerifiedEntries', () => {
  it('counts a first read, remembers a whole one and passes later bodies through untouched', async ({
    expect,
  }) => {
    const verified = new VerifiedEntries()
    let short = 0
    expect(await drain(verified.checked('a', stream(10, 20), 30, () => short++))).toBe(30)
    expect(verified.has('a')).toBe(true)
    const later = stream(30)
    expect(verified.checked('a', later, 30, () => short++)).toBe(later)
    expect(short).toBe(0)
  })

  it('errors a body that ends short, reports it, and keeps checking that entry', async ({
    expect,
  }) => {
    const verified = new VerifiedEntries()
    let short = 0
    await expect(drain(verified.checked('b', stream(10), 30, () => short++))).rejects.toThrow(
      'stored entry ended after 10 of 30 bytes'
    )
    expect(short).toBe(1)
    expect(verified.has('b')).toBe(false)
  })

  it('forgets the oldest entries beyond its limit', ({ expect }) => {
    const verified = new VerifiedEntries(2)
    for (const id of ['x', 'y', 'z']) verified.add(id)
    expect(['x', 'y', 'z'].map((id) => verified.has(id))).toEqual([false, true, true])
  })
})
