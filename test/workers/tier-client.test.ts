import { describe, it } from 'vitest'
import type { TierRequest } from '../../edge-cache/tier/protocol'
import type { TierNamespace } from '../../edge-cache/tier-address'
import { regionNamed } from '../../schemas/regions'
import { tierFor } from '../../workers/tier-client'

/** Records how the namespace is addressed; stands in for the binding outside workerd. */
function recordingNamespace() {
  const calls: string[] = []
  const make = (
    scope: string
  ): TierNamespace<{
    serve(r: TierRequest): Promise<Response>
    invalidate(k: string[]): Promise<number>
  }> => ({
    idFromName: (name) => ({ name, toString: () => name, equals: () => false }) as DurableObjectId,
    get: (id, options) => {
      calls.push(`${scope}get ${id.name} hint=${options?.locationHint}`)
      return { serve: async () => new Response('ok'), invalidate: async () => 0 }
    },
    jurisdiction: (name) => {
      calls.push(`jurisdiction ${name}`)
      return make(`${name}:`)
    },
  })
  return { namespace: make(''), calls }
}

const request = { key: 'https://a.test/x', headers: [], rules: [] } as unknown as TierRequest

describe('tierFor', () => {
  it('places eu shards in the eu jurisdiction when jurisdictions are on (production)', async ({
    expect,
  }) => {
    const { namespace, calls } = recordingNamespace()
    await tierFor(namespace, regionNamed('eu'), true).serve(request)
    expect(calls[0]).toBe('jurisdiction eu')
    expect(calls[1]).toMatch(/^eu:get tier:eu:\d+ hint=weur$/)
  })

  it('never asks for a jurisdiction when they are off (local workerd rejects them)', async ({
    expect,
  }) => {
    const { namespace, calls } = recordingNamespace()
    await tierFor(namespace, regionNamed('eu'), false).serve(request)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatch(/^get tier:eu:\d+ hint=weur$/)
  })

  it('uses no jurisdiction for a region without one, even when they are on', async ({ expect }) => {
    const { namespace, calls } = recordingNamespace()
    await tierFor(namespace, regionNamed('us'), true).serve(request)
    expect(calls).toEqual([expect.stringMatching(/^get tier:us:\d+ hint=enam$/)])
  })
})
