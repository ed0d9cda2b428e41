/**
 * @module origin/select
 * Builds the adapter a route's origin config asks for.
 */
import type { OriginSpec } from '../schemas/api/config'
import { httpOrigin } from './http'
import { r2Origin } from './r2'
import { s3Client, s3Origin } from './s3'
import type { Origin } from './types'

export interface OriginDependencies {
  /** Resolves an R2 binding name from config to the binding. */
  bucket(binding: string): R2Bucket
  /** Resolves a Worker secret named by config (S3 keys). */
  secret(name: string): string
  /** Default connect + first-byte timeout when the origin sets none. */
  timeoutMs: number
}

/**
 * @param spec a validated origin record
 * @param deps the bindings and defaults the adapters need
 * @returns the adapter
 */
export function selectOrigin(spec: OriginSpec, deps: OriginDependencies): Origin {
  switch (spec.kind) {
    case 'r2':
      return r2Origin(deps.bucket(spec.binding), { prefix: spec.prefix })
    case 'http':
      return httpOrigin({ url: spec.url, timeoutMs: spec.timeoutMs ?? deps.timeoutMs })
    case 's3':
      return s3Origin({
        client: s3Client({
          endpoint: spec.endpoint,
          region: spec.region,
          forcePathStyle: spec.forcePathStyle,
          accessKeyId: deps.secret(spec.accessKeyIdSecret),
          secretAccessKey: deps.secret(spec.secretAccessKeySecret),
        }),
        bucket: spec.bucket,
        prefix: spec.prefix,
      })
  }
}

/**
 * Builds the dependencies from a Worker's bindings: any R2 bucket binding may be named by config.
 * @param bindings the Worker's env
 * @throws TypeError when a configured binding does not exist or is not an R2 bucket
 */
export function originDependencies(bindings: object, timeoutMs: number): OriginDependencies {
  return {
    bucket(binding) {
      const candidate: unknown = Reflect.get(bindings, binding)
      if (!isR2Bucket(candidate)) {
        throw new TypeError(`expected binding ${binding} to be an R2 bucket`)
      }
      return candidate
    },
    secret(name) {
      const value: unknown = Reflect.get(bindings, name)
      // The message names the secret, never a value.
      if (typeof value !== 'string' || value === '') {
        throw new TypeError(`expected the Worker secret ${name} to be set`)
      }
      return value
    },
    timeoutMs,
  }
}

function isR2Bucket(value: unknown): value is R2Bucket {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'get') === 'function' &&
    typeof Reflect.get(value, 'head') === 'function'
  )
}
