import fc from 'fast-check'
import { describe, it } from 'vitest'
import { sliceStream } from '../../edge-cache/stream-slice'

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = []
  for await (const chunk of stream) out.push(...chunk)
  return out
}

describe('sliceStream', () => {
  it('yields exactly the requested bytes for any chunking', async ({ expect }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        async (chunks, a, b) => {
          const all = chunks.flatMap((c) => [...c])
          fc.pre(all.length > 0)
          const start = a % all.length
          const end = start + (b % (all.length - start))
          expect(await collect(sliceStream(streamOf(chunks), start, end))).toEqual(
            all.slice(start, end + 1)
          )
        }
      )
    )
  })
})
