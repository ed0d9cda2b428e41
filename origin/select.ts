/**
 * @module origin/select
 * Builds the adapter a route's origin config asks for, reading from the bucket of the content's
 * residency region when the origin keeps one bucket per region. A resident request never falls
 * back to another region's bucket, nor to the default one: an origin with regional buckets but
 * none for the request's region answers with `NoRegionalBucketError`. An origin that declares
 * no regional buckets at all is a single-bucket origin and serves every region.
 * @see edge-cache/residency.ts
 */
import type { BucketRegion, HttpOriginSpec, OriginSpec } from '../schemas/api/config'
import type { OriginTarget } from '../schemas/api/pool'
import type { OriginDependencies } from './dependencies'
import { NoRegionalBucketError, NotGrantedError } from './errors'
import { type HttpOriginOptions, httpOrigin } from './http'
import { mtlsFetch } from './mtls'
import { r2Origin } from './r2'
import { s3Client, s3Origin } from './s3'
import type { Origin } from './types'

/**
 * @param spec a validated origin record
 * @param deps the bindings and defaults the adapters need
 * @param region the residency region of the content (`TierRequest.residency?.region`), or
 *   undefined for content no residency rule pins
 * @returns the adapter; for a region the origin keeps no bucket in, one whose `fetch` rejects
 *   with `NoRegionalBucketError`; for a name the zone was not granted, one that rejects with
 *   `NotGrantedError` (either failure is answered like any origin failure)
 */
export function selectOrigin(spec: OriginSpec, deps: OriginDependencies, region?: string): Origin {
  try {
    return adapterFor(spec, deps, region)
  } catch (error) {
    // Answered like any origin failure, and before anything was sent anywhere.
    if (error instanceof NotGrantedError) return unavailable(error)
    throw error
  }
}

function adapterFor(spec: OriginSpec, deps: OriginDependencies, region?: string): Origin {
  switch (spec.kind) {
    case 'r2': {
      const regional = regionalBucket(spec.regions, region)
      if (regional === 'missing') return unavailable(new NoRegionalBucketError(region ?? ''))
      return r2Origin(deps.bucket(regional?.binding ?? spec.binding), { prefix: spec.prefix })
    }
    case 'http':
      return httpOrigin({
        url: spec.url,
        timeoutMs: spec.timeoutMs ?? deps.timeoutMs,
        hostHeader: spec.hostHeader,
        signing: signingFor(spec, deps),
        fetch: spec.mtlsCertificate ? mtlsFetch(spec.mtlsCertificate, deps) : undefined,
      })
    case 's3': {
      const regional = regionalBucket(spec.regions, region)
      if (regional === 'missing') return unavailable(new NoRegionalBucketError(region ?? ''))
      const endpoint = regional?.endpoint ?? spec.endpoint
      return s3Origin({
        client: s3Client({
          endpoint,
          region: regional?.region ?? spec.region,
          forcePathStyle: spec.forcePathStyle,
          accessKeyId: deps.secret(spec.accessKeyIdSecret),
          secretAccessKey: deps.secret(spec.secretAccessKeySecret),
        }),
        bucket: regional?.bucket ?? spec.bucket,
        prefix: spec.prefix,
        timeoutMs: spec.timeoutMs ?? deps.timeoutMs,
      })
    }
  }
}

/**
 * How long an origin of `target` may stay silent: its connect + first-byte timeout, or for a
 * pool the longest of its members' (any of them may be the one answering).
 * @param defaultMs the platform's default (`ORIGIN_TIMEOUT_MS`)
 */
export function timeoutOf(target: OriginTarget, defaultMs: number): number {
  if (target.kind === 'r2') return defaultMs
  if (target.kind !== 'pool') return target.timeoutMs ?? defaultMs
  const members = target.members.map((member) => timeoutOf(member.spec, defaultMs))
  const fallback = target.fallback ? [timeoutOf(target.fallback, defaultMs)] : []
  return Math.max(...members, ...fallback)
}

/** The first configured key signs; its secret is resolved by name, like the S3 keys. */
function signingFor(spec: HttpOriginSpec, deps: OriginDependencies): HttpOriginOptions['signing'] {
  const first = spec.signing?.keys[0]
  if (!spec.signing || !first) return undefined
  return {
    key: { id: first.id, secret: deps.secret(first.secret) },
    header: spec.signing.header,
  }
}

/**
 * The bucket a request reads from.
 * @returns the region's bucket; undefined for the default bucket (content not resident, or an
 *   origin without regional buckets); 'missing' when the origin has regional buckets but none
 *   for `region`
 */
export function regionalBucket<Bucket>(
  regions: Partial<Record<BucketRegion, Bucket>> | undefined,
  region: string | undefined
): Bucket | undefined | 'missing' {
  if (region === undefined || regions === undefined) return undefined
  const bucket = isBucketRegion(region) ? regions[region] : undefined
  return bucket ?? 'missing'
}

function isBucketRegion(region: string): region is BucketRegion {
  return region === 'eu' || region === 'us' || region === 'apac'
}

/** An origin that answers nothing: every request rejects with `error`. */
function unavailable(error: Error): Origin {
  return {
    fetch: () => Promise.reject(error),
  }
}
