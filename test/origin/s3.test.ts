/**
 * The S3 adapter's connect + first-byte timeout, against a real HTTP server on loopback that
 * plays a slow S3 endpoint (the test origin: it answers any path, or hangs when scripted to).
 * @see origin/s3.ts
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { OriginError } from '../../origin/errors'
import { s3Client, s3Origin } from '../../origin/s3'
import type { OriginRequest } from '../../origin/types'
import { startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'

let server: TestOrigin
let control: ReturnType<typeof originControl>

beforeAll(async () => {
  server = await startOrigin()
  control = originControl(server.url)
})
afterAll(() => server.close())

function origin(timeoutMs?: number) {
  const client = s3Client({
    endpoint: server.url,
    region: 'us-east-1',
    accessKeyId: 'test',
    secretAccessKey: 'test',
  })
  return s3Origin({ client, bucket: 'slow-bucket', ...(timeoutMs ? { timeoutMs } : {}) })
}

function get(path: string, method = 'GET'): OriginRequest {
  return { method, path, search: '', headers: new Headers() }
}

describe('s3Origin timeout', () => {
  it.for(['GET', 'HEAD'])(
    'throws a timeout OriginError when S3 sends no headers in time (%s)',
    async (method, { expect }) => {
      await control.script('/slow-bucket/hang.txt', { hang: true })
      const started = Date.now()
      const error = await origin(200)
        .fetch(get('/hang.txt', method))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OriginError)
      expect(error).toMatchObject({ kind: 'timeout' })
      expect(String(error)).toMatch(/no response within 200 ms/)
      expect(Date.now() - started).toBeLessThan(2000)
    }
  )

  it('answers when the headers arrive within the timeout, however long the body then takes', async ({
    expect,
  }) => {
    // Headers after 100 ms, the body only after the 400 ms deadline has passed.
    await control.script('/slow-bucket/late.txt', {
      delayMs: 100,
      bodyDelayMs: 500,
      bytes: 3_000_000,
    })
    const res = await origin(400).fetch(get('/late.txt'))
    expect(res.status).toBe(200)
    // the deadline covered only the headers
    expect((await res.arrayBuffer()).byteLength).toBe(3_000_000)
  })

  it('bounds RestoreObject by the same timeout', async ({ expect }) => {
    await control.script('/slow-bucket/hang.txt', { hang: true })
    const restore = origin(200).restore
    expect(restore).toBeTypeOf('function')
    const error = await restore?.(get('/hang.txt'), { days: 1, tier: 'Standard' }).catch(
      (e: unknown) => e
    )
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  it('does not retry inside the SDK: one attempt per call', async ({ expect }) => {
    await control.script('/slow-bucket/reset.txt', { destroy: true })
    const error = await origin(2000)
      .fetch(get('/reset.txt'))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'network' })
    expect(await control.hits('/slow-bucket/reset.txt?x-id=GetObject')).toHaveLength(1)
  })
})
