/**
 * The one owner of `oidc_session_clients`: which clients received an ID
 * token for a provider session, so that back-channel logout can tell them
 * when it ends.
 */
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { WriteTransaction } from '#database/statements'
import OidcSessionClient from '#models/oidc_session_client'
import { sqlTime } from '#models/columns'
import { changeRows, deleteInBatches, insertIgnoringDuplicate } from '#database/statements'
import { encodeRow } from '#database/rows'

const TABLE = 'oidc_session_clients'

/** Records that the client got an ID token in the session; once per pair */
export async function recordSessionClient(
  entry: { sid: string; clientId: string; userId: number },
  trx?: WriteTransaction
) {
  const row = encodeRow(OidcSessionClient, { ...entry, createdAt: DateTime.utc() })
  await insertIgnoringDuplicate(TABLE, row, trx)
}

export function sessionClients(sid: string) {
  return OidcSessionClient.query().where('sid', sid)
}

export async function forgetSession(sid: string, trx?: TransactionClientContract) {
  await changeRows(`delete from ${TABLE} where sid = ?`, [sid], trx)
}

/** A session's record is kept a month, longer than any provider session lives */
export function pruneSessionClients(now: DateTime) {
  return deleteInBatches(TABLE, (query) =>
    query.where('created_at', '<', sqlTime(now.minus({ days: 30 })))
  )
}
