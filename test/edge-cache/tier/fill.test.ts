import { describe, it } from 'vitest'
import type { ResidencyRule } from '../../../edge-cache/residency'
import { BodyProgress } from '../../../edge-cache/tier/bodies'
import {
  bodyWritten,
  isResidentHere,
  mayStoreHere,
  revalidationHeaders,
} from '../../../edge-cache/tier/fill'
import { tierEntry } from '../../support/tier-entry'
import { tierRequest } from '../../support/tier-request'

const NOW = Date.UTC(2026, 0, 1)
const request = tierRequest('http://origin.test', 'a.test', '/x')

describe('revalidationHeaders', () => {
  it('adds the stale entry’s validators to the request’s fields (RFC 9111 §4.3.1)', ({
    expect,
  }) => {
    const stale = tierEntry({ etag: '"v1"', 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT' }, NOW)
    const headers = revalidationHeaders(new Headers({ accept: 'text/plain' }), stale)
    expect(headers.get('accept')).toBe('text/plain')
    expect(headers.get('if-none-match')).toBe('"v1"')
    expect(headers.get('if-modified-since')).toBe('Thu, 01 Jan 2026 00:00:00 GMT')
  })

  it('sends the request as is without a stale entry', ({ expect }) => {
    const headers = revalidationHeaders(new Headers({ accept: 'text/plain' }), undefined)
    expect([...headers]).toEqual([['accept', 'text/plain']])
  })
})

describe('residency at the shard', () => {
  const euByTag: ResidencyRule = {
    name: 'eu-tag',
    tag: 'eu-only',
    region: 'eu',
    mode: 'cache-in-region',
  } as ResidencyRule
  const tagged = new Headers({ 'cache-tag': 'eu-only' })

  it.for([
    { what: 'open content anywhere', extra: {}, headers: new Headers(), region: 'us', may: true },
    {
      what: 'path-resident content in its region',
      extra: { residency: { rule: 'r', region: 'eu', mode: 'cache-in-region' } },
      headers: new Headers(),
      region: 'eu',
      may: true,
    },
    {
      what: 'path-resident content elsewhere',
      extra: { residency: { rule: 'r', region: 'eu', mode: 'cache-in-region' } },
      headers: new Headers(),
      region: 'us',
      may: false,
    },
    {
      what: 'path-resident content on a shard without a region',
      extra: { residency: { rule: 'r', region: 'eu', mode: 'cache-in-region' } },
      headers: new Headers(),
      region: undefined,
      may: false,
    },
    {
      what: 'tag-resident content in its region',
      extra: { rules: [euByTag] },
      headers: tagged,
      region: 'eu',
      may: true,
    },
    {
      what: 'tag-resident content elsewhere',
      extra: { rules: [euByTag] },
      headers: tagged,
      region: 'us',
      may: false,
    },
  ])('stores $what: $may', ({ extra, headers, region, may }, { expect }) => {
    const asked = { ...request, ...extra } as typeof request
    expect(mayStoreHere(asked, headers, region)).toBe(may)
  })

  it('knows content pinned by path or tag as resident', ({ expect }) => {
    expect(isResidentHere(request, new Headers(), 'eu')).toBe(false)
    const byPath = { ...request, residency: { rule: 'r', region: 'eu', mode: 'cache-in-region' } }
    expect(isResidentHere(byPath as typeof request, new Headers(), 'eu')).toBe(true)
    expect(isResidentHere({ ...request, rules: [euByTag] }, tagged, 'eu')).toBe(true)
  })
})

describe('bodyWritten', () => {
  it('resolves once the writer is done', async ({ expect }) => {
    const progress = new BodyProgress()
    let resolved = false
    const written = bodyWritten(progress).then(() => {
      resolved = true
    })
    progress.chunks = 1
    progress.advance()
    await new Promise<void>((resolve) => setImmediate(resolve))
    expect(resolved).toBe(false)
    progress.done = true
    progress.advance()
    await written
    expect(resolved).toBe(true)
  })

  it('resolves when the writer fails', async ({ expect }) => {
    const progress = new BodyProgress()
    const written = bodyWritten(progress)
    progress.error = new Error('origin reset')
    progress.advance()
    await expect(written).resolves.toBeUndefined()
  })
})
