import { describe, it } from 'vitest'
import { failWhenSilent } from '../../edge-cache/silence'
import { OriginError } from '../../origin/errors'

/** A body that sends `chunks`, then nothing more until cancelled; records the cancel reason. */
function stalling(chunks: string[]) {
  const seen: { cancelled?: unknown } = {}
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
    },
    cancel(reason) {
      seen.cancelled = reason
    },
  })
  return { body, seen }
}

describe('failWhenSilent', () => {
  it('passes a body that keeps coming through unchanged', async ({ expect }) => {
    const body = new Response('all of it').body as ReadableStream<Uint8Array>
    expect(await new Response(failWhenSilent(body, 50)).text()).toBe('all of it')
  })

  it('fails as an origin timeout once the body is silent, and cancels the source', async ({
    expect,
  }) => {
    const { body, seen } = stalling(['first bytes'])
    const reader = failWhenSilent(body, 30).getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first bytes')
    const failure = await reader.read().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(OriginError)
    expect(failure).toMatchObject({ kind: 'timeout' })
    expect(seen.cancelled).toBe(failure)
  })
})
