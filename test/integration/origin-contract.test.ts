/**
 * The origin contract inside workerd for the object-store adapters: R2 through the
 * `ORIGIN_BUCKET` binding (miniflare), and S3 against moto over real HTTP with SigV4 verified,
 * plus the S3 adapter's own failure modes. moto's endpoint and keys come from
 * test/setup/s3.ts (`inject('s3')`); without a running moto the S3 tests skip and say how to
 * start it.
 */

import { env } from 'cloudflare:workers'
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { beforeAll, describe, inject, it } from 'vitest'
import { ArchivedObjectError, OriginError } from '../../origin/errors'
import { r2Origin } from '../../origin/r2'
import { s3Client, s3Origin } from '../../origin/s3'
import type { OriginRequest } from '../../origin/types'
import { describeOriginContract } from '../contract/origin.suite'
import type { S3TestServer } from '../setup/s3'

const START = 'bash .scripts/s3-moto.sh install && bash .scripts/s3-moto.sh start'

describeOriginContract('r2', async () => {
  const prefix = 'r2-contract/'
  return {
    origin: r2Origin(env.ORIGIN_BUCKET, { prefix }),
    capabilities: { keyBased: true },
    async put(key, body, opts = {}) {
      await env.ORIGIN_BUCKET.put(prefix + key, body, {
        httpMetadata: { contentType: opts.contentType, cacheControl: opts.cacheControl },
        customMetadata: opts.metadata,
      })
    },
  }
})

const s3: S3TestServer = inject('s3') ?? {
  available: false,
  reason: 'test/setup/s3.ts is not in the workers project globalSetup (test/vitest.config.ts)',
}

if (s3.available) {
  const client = s3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  })
  const bucket = `origin-contract-${crypto.randomUUID().slice(0, 8)}`
  let created: Promise<unknown> | undefined
  const ensureBucket = () => {
    created ??= client.send(new CreateBucketCommand({ Bucket: bucket }))
    return created
  }

  describeOriginContract('s3 (moto)', async () => {
    const prefix = 'cdn/'
    await ensureBucket()
    return {
      origin: s3Origin({ client, bucket, prefix }),
      capabilities: { keyBased: true },
      async put(key, body, opts = {}) {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: prefix + key,
            Body: body,
            ContentType: opts.contentType,
            CacheControl: opts.cacheControl,
            Metadata: opts.metadata,
          })
        )
      },
    }
  })

  describe('s3 origin (moto): failures and S3-only behaviour', () => {
    const origin = s3Origin({ client, bucket })
    beforeAll(async () => {
      await ensureBucket()
      await Promise.all([
        put(client, bucket, 'plain.txt', '0123456789'),
        put(client, bucket, 'archived.txt', 'cold', 'GLACIER'),
      ])
    })

    it('throws ArchivedObjectError for a GLACIER object', async ({ expect }) => {
      const error = await origin.fetch(get('/archived.txt')).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ArchivedObjectError)
      expect(error).toBeInstanceOf(OriginError)
      expect(error).toMatchObject({ kind: 'upstream', storageClass: 'GLACIER' })
      expect(error).toHaveProperty('cause.name', 'InvalidObjectState')
    })

    it('throws an upstream OriginError when the signature is wrong (moto verifies SigV4)', async ({
      expect,
    }) => {
      const secret = `wrong-${s3.secretAccessKey}`
      const forged = s3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: secret,
      })
      const error = await s3Origin({ client: forged, bucket })
        .fetch(get('/plain.txt'))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OriginError)
      expect(error).not.toBeInstanceOf(ArchivedObjectError)
      expect(error).toMatchObject({ kind: 'upstream' })
      expect(error).toHaveProperty('cause.name', 'SignatureDoesNotMatch')
      expect(String(error)).not.toContain(secret)
    })

    it('throws an upstream OriginError for a missing bucket, not a 404', async ({ expect }) => {
      const missing = s3Origin({ client, bucket: `${bucket}-missing` })
      const error = await missing.fetch(get('/plain.txt')).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OriginError)
      expect(error).toMatchObject({ kind: 'upstream' })
      expect(error).toHaveProperty('cause.name', 'NoSuchBucket')
    })

    it('throws a network OriginError when the endpoint is unreachable', async ({ expect }) => {
      const nowhere = s3Client({
        endpoint: 'http://127.0.0.1:9',
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      })
      const error = await s3Origin({ client: nowhere, bucket })
        .fetch(get('/plain.txt'))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OriginError)
      expect(error).toMatchObject({ kind: 'network' })
    })

    it('answers 405 to methods other than GET and HEAD', async ({ expect }) => {
      const res = await origin.fetch({ ...get('/plain.txt'), method: 'PUT' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
    })

    it('honours If-Range: a range while it matches, the whole object once it does not', async ({
      expect,
    }) => {
      const head = await origin.fetch({ ...get('/plain.txt'), method: 'HEAD' })
      const etag = head.headers.get('etag') ?? ''
      const modified = head.headers.get('last-modified') ?? ''
      for (const ifRange of [etag, modified]) {
        const res = await origin.fetch(
          get('/plain.txt', { range: 'bytes=0-1', 'if-range': ifRange })
        )
        expect(res.status, ifRange).toBe(206)
        expect(await res.text()).toBe('01')
      }
      for (const ifRange of ['"stale"', 'Mon, 01 Jan 2001 00:00:00 GMT', `W/${etag}`]) {
        const res = await origin.fetch(
          get('/plain.txt', { range: 'bytes=0-1', 'if-range': ifRange })
        )
        expect(res.status, ifRange).toBe(200)
        expect(res.headers.get('content-range')).toBeNull()
        expect(await res.text()).toBe('0123456789')
      }
    })
  })
} else {
  describe('s3 origin (moto)', () => {
    it.skip(`skipped: ${s3.reason}. Start moto with \`${START}\``, () => {})
  })
  console.warn(`S3 origin tests skipped: ${s3.reason}`)
}

function get(path: string, headers?: HeadersInit): OriginRequest {
  return { method: 'GET', path, search: '', headers: new Headers(headers) }
}

async function put(
  client: S3Client,
  bucket: string,
  key: string,
  body: string,
  storageClass?: 'GLACIER'
): Promise<void> {
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, StorageClass: storageClass })
  )
}
