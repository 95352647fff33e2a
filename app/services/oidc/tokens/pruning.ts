/**
 * tokens:prune (data.md §12): deletes rows no check needs any more, 1,000 at a
 * time so that no statement holds its locks for long.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { sqlTime } from '#models/columns'
import keyStore from '#services/oidc/keys/key_store'

const BATCH_SIZE = 1000

export type PruneCounts = {
  tokens: number
  authorization_codes: number
  device_codes: number
  consents: number
  session_clients: number
  signing_keys: number
}

type Condition = (query: DatabaseQueryBuilderContract) => void

/** Selects a batch of ids, then deletes them: MySQL allows no LIMIT in an IN subquery */
async function deleteInBatches(table: string, condition: Condition) {
  let deleted = 0
  for (;;) {
    const rows = await db.from(table).where(condition).select('id').limit(BATCH_SIZE)
    if (rows.length)
      deleted += Number(
        await db
          .from(table)
          .whereIn(
            'id',
            rows.map((row) => row.id)
          )
          .delete()
      )
    if (rows.length < BATCH_SIZE) return deleted
  }
}

export async function pruneExpired(now = DateTime.utc()): Promise<PruneCounts> {
  const current = sqlTime(now)
  const dayAgo = sqlTime(now.minus({ days: 1 }))
  const monthAgo = sqlTime(now.minus({ days: 30 }))
  const keysClosed = sqlTime(now.minus({ seconds: keyStore.retiredKeyWindowSeconds }))
  return {
    tokens: await deleteInBatches('oidc_tokens', (query) =>
      query
        .where('expires_at', '<', current)
        .orWhere('revoked_at', '<', dayAgo)
        // A replay of such a refresh token then gets invalid_grant without revoking its family
        .orWhere((rotated) => rotated.where('type', 'rt').where('rotated_at', '<', monthAgo))
    ),
    // Codes stay a day past expiry, so that a late replay is still seen as reuse
    authorization_codes: await deleteInBatches('oidc_authorization_codes', (query) =>
      query.where('expires_at', '<', dayAgo)
    ),
    device_codes: await deleteInBatches('oidc_device_codes', (query) =>
      query.where('expires_at', '<', dayAgo)
    ),
    consents: await deleteInBatches('oidc_consents', (query) =>
      query.where('expires_at', '<', current)
    ),
    session_clients: await deleteInBatches('oidc_session_clients', (query) =>
      query.where('created_at', '<', monthAgo)
    ),
    signing_keys: await deleteInBatches('oidc_signing_keys', (query) =>
      query.where('retired_at', '<', keysClosed)
    ),
  }
}
