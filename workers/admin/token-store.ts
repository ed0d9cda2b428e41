/**
 * @module admin/token-store
 * The `api_tokens` table: create, look up by hash, list by zone, revoke. Token values never reach
 * this module; their SHA-256 does.
 */
import { and, asc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { tokenScopeSchema } from '../../schemas/api/admin'
import { apiTokensTable } from '../../schemas/config/tables'
import type { ConfigDb } from './config-store'
import type { Principal } from './principal'

/** A token as the API shows it: everything but its value and hash. */
export interface TokenRecord {
  id: string
  scopes: z.infer<typeof tokenScopeSchema>[]
  zones: string[]
  description: string | null
  createdAt: Date
  revokedAt: Date | null
}

const storedScopes = z.array(tokenScopeSchema)
const storedZones = z.array(z.string())

const publicColumns = {
  id: apiTokensTable.id,
  scopes: apiTokensTable.scopes,
  zones: apiTokensTable.zones,
  description: apiTokensTable.description,
  createdAt: apiTokensTable.createdAt,
  revokedAt: apiTokensTable.revokedAt,
}

/**
 * @param hash the SHA-256 of a presented token (admin/token-secret.ts)
 * @returns the principal of the unrevoked token with that hash, with the stored hash, or
 *   undefined
 */
export async function findActiveToken(
  db: ConfigDb,
  hash: string
): Promise<{ principal: Principal; hash: string } | undefined> {
  const rows = await db
    .select({ ...publicColumns, hash: apiTokensTable.hash })
    .from(apiTokensTable)
    .where(and(eq(apiTokensTable.hash, hash), isNull(apiTokensTable.revokedAt)))
  const row = rows[0]
  if (!row) return undefined
  const token = toRecord(row)
  return {
    principal: { kind: 'token', id: token.id, scopes: token.scopes, zones: token.zones },
    hash: row.hash,
  }
}

/** @returns the token (revoked or not), or undefined */
export async function getToken(db: ConfigDb, id: string): Promise<TokenRecord | undefined> {
  const rows = await db.select(publicColumns).from(apiTokensTable).where(eq(apiTokensTable.id, id))
  return rows[0] && toRecord(rows[0])
}

/** @returns the unrevoked tokens that may act on `zone`, oldest first */
export async function listActiveTokens(db: ConfigDb, zone: string): Promise<TokenRecord[]> {
  const rows = await db
    .select(publicColumns)
    .from(apiTokensTable)
    .where(isNull(apiTokensTable.revokedAt))
    .orderBy(asc(apiTokensTable.createdAt), asc(apiTokensTable.id))
  return rows.map(toRecord).filter((t) => t.zones.includes(zone))
}

/** @returns the unexecuted insert of a new token */
export function insertTokenQuery(
  db: ConfigDb,
  token: Omit<TokenRecord, 'revokedAt'> & { hash: string }
) {
  return db.insert(apiTokensTable).values(token)
}

/** @returns the unexecuted revocation of a token */
export function revokeTokenQuery(db: ConfigDb, id: string, now: Date) {
  return db.update(apiTokensTable).set({ revokedAt: now }).where(eq(apiTokensTable.id, id))
}

/** @returns the unexecuted update of a token to act on `zones` only */
export function narrowTokenQuery(db: ConfigDb, id: string, zones: string[]) {
  return db.update(apiTokensTable).set({ zones }).where(eq(apiTokensTable.id, id))
}

/**
 * What deleting `zone` does to the tokens that may act on it: a token of that zone alone is
 * revoked, a token of several loses that zone. Otherwise a zone made later under the same name
 * (for another owner, or by the evicted owner itself) would answer to the old tokens.
 * @param tokens the unrevoked tokens of the zone (listActiveTokens)
 * @returns the unexecuted updates, and what each does to which token
 */
export function forgetZoneQueries(
  db: ConfigDb,
  tokens: readonly TokenRecord[],
  zone: string,
  now: Date
) {
  return tokens.map((token) => {
    const zones = token.zones.filter((z) => z !== zone)
    return zones.length === 0
      ? { id: token.id, change: 'revoke' as const, query: revokeTokenQuery(db, token.id, now) }
      : { id: token.id, change: 'narrow' as const, query: narrowTokenQuery(db, token.id, zones) }
  })
}

function toRecord(row: {
  id: string
  scopes: unknown
  zones: unknown
  description: string | null
  createdAt: Date
  revokedAt: Date | null
}): TokenRecord {
  // A row that no longer parses (hand-edited, or from a newer version) grants nothing.
  const scopes = storedScopes.safeParse(row.scopes)
  const zones = storedZones.safeParse(row.zones)
  return {
    ...row,
    scopes: scopes.success ? scopes.data : [],
    zones: zones.success ? zones.data : [],
  }
}
