/**
 * How origin and archival failures are answered to the client: status, Retry-After, no-store
 * and a coded error body.
 * @see edge-cache/errors.ts
 */
import { describe, it } from 'vitest'
import { originFailureResponse } from '../../edge-cache/errors'
import { MIN_RESTORE_POLL_SECONDS, ObjectRestoringError } from '../../edge-cache/tier/archival'
import {
  ArchivedObjectError,
  CircuitOpenError,
  NoRegionalBucketError,
  OriginError,
} from '../../origin/errors'

describe('originFailureResponse', () => {
  async function answer(error: unknown) {
    const res = originFailureResponse(error)
    const body = (await res.json()) as { error: Record<string, unknown> }
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      cacheControl: res.headers.get('cache-control'),
      error: body.error,
    }
  }

  it('answers an open breaker with 503, Retry-After and origin_circuit_open', async ({
    expect,
  }) => {
    expect(await answer(new CircuitOpenError('origin a.test is failing', 7))).toEqual({
      status: 503,
      retryAfter: '7',
      cacheControl: 'no-store',
      error: {
        code: 'origin_circuit_open',
        message: 'origin a.test is failing',
        retryAfterSeconds: 7,
      },
    })
  })

  it('answers a restore in progress with 503, Retry-After and object_restoring', async ({
    expect,
  }) => {
    const error = new ObjectRestoringError('/cold/a.txt', 'GLACIER', 18000)
    expect(await answer(error)).toEqual({
      status: 503,
      retryAfter: '18000',
      cacheControl: 'no-store',
      error: {
        code: 'object_restoring',
        message: '/cold/a.txt is being restored from archival storage (GLACIER)',
        storageClass: 'GLACIER',
        retryAfterSeconds: 18000,
      },
    })
  })

  it('answers an archived object no restore was started for with 503 object_archived', async ({
    expect,
  }) => {
    const error = new ArchivedObjectError({ bucket: 'b', key: 'k' }, { storageClass: 'GLACIER' })
    expect(await answer(error)).toMatchObject({
      status: 503,
      retryAfter: String(MIN_RESTORE_POLL_SECONDS),
      error: { code: 'object_archived', storageClass: 'GLACIER' },
    })
  })

  it.for([
    [new NoRegionalBucketError('apac'), 500, 'no_regional_bucket'],
    [new OriginError('timeout', 'slow'), 504, 'origin_timeout'],
    [new OriginError('network', 'down'), 502, 'origin_unreachable'],
    [new OriginError('upstream', 'no', { status: 500 }), 502, 'origin_failed'],
  ] as const)('answers %s with %d %s', async ([error, status, code], { expect }) => {
    const got = await answer(error)
    expect(got).toMatchObject({ status, retryAfter: null, error: { code } })
  })
})
