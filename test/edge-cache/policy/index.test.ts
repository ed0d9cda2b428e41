import { describe, it } from 'vitest'
import * as policy from '../../../edge-cache/policy/index'

describe('index', () => {
  // the wiring code depends on these exact names
  it.for([
    'parseCacheControl',
    'parseTargetedCacheControl',
    'selectCacheControl',
    'freshnessLifetime',
    'currentAge',
    'canStore',
    'headersToStore',
    'stripHopByHop',
    'decideServe',
    'canServeStaleOnError',
    'isOnlyIfCached',
    'conditionalRequestHeaders',
    'mergeNotModified',
    'strongMatch',
    'weakMatch',
    'evaluateConditional',
    'notModifiedHeaders',
    'decideRange',
    'contentRange',
    'varyFields',
    'varyKey',
    'formatCacheStatus',
    'parseCacheStatus',
    'invalidationTargets',
    'cacheTags',
  ])('re-exports the function %s', (name, { expect }) => {
    expect(typeof (policy as Record<string, unknown>)[name]).toBe('function')
  })

  it('re-exports the constants', ({ expect }) => {
    expect(policy.TARGETED_FIELDS).toEqual([
      'edge-cache-control',
      'cdn-cache-control',
      'surrogate-control',
    ])
    expect(policy.TAG_FIELDS).toEqual(['cache-tag', 'surrogate-key', 'cache-groups'])
    expect(policy.HEURISTICALLY_CACHEABLE.has(200)).toBe(true)
    expect(policy.HOP_BY_HOP.has('connection')).toBe(true)
  })
})
