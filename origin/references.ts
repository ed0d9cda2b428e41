/**
 * @module origin/references
 * What an origin record names outside itself: Worker secrets and R2 bucket bindings. The admin
 * API checks each name against the zone's grants before storing the record, and the dependency
 * builder resolves only granted names at request time, so both read the same list. Pure.
 */
import type { OriginSpec } from '../schemas/api/config'

/** The kinds of platform resource a zone can be granted: Worker secrets, R2 buckets, mTLS
 * certificate bindings. */
export type GrantKind = 'secret' | 'bucket' | 'certificate'

export interface OriginReference {
  kind: GrantKind
  /** The binding or secret name as config spells it. */
  name: string
  /** The field that names it, as an admin error names it: `regions.eu.binding`. */
  field: string
}

/**
 * @param spec a validated origin record
 * @returns every secret and bucket it names, with the field naming each
 */
export function originReferences(spec: OriginSpec): OriginReference[] {
  switch (spec.kind) {
    case 'r2':
      return [
        { kind: 'bucket', name: spec.binding, field: 'binding' },
        ...Object.entries(spec.regions ?? {}).map(([region, bucket]) => ({
          kind: 'bucket' as const,
          name: bucket.binding,
          field: `regions.${region}.binding`,
        })),
      ]
    case 's3':
      return [
        { kind: 'secret', name: spec.accessKeyIdSecret, field: 'accessKeyIdSecret' },
        { kind: 'secret', name: spec.secretAccessKeySecret, field: 'secretAccessKeySecret' },
      ]
    case 'http':
      return [
        ...(spec.signing?.keys ?? []).map((key, i) => ({
          kind: 'secret' as const,
          name: key.secret,
          field: `signing.keys.${i}.secret`,
        })),
        ...(spec.mtlsCertificate
          ? [{ kind: 'certificate' as const, name: spec.mtlsCertificate, field: 'mtlsCertificate' }]
          : []),
      ]
  }
}
