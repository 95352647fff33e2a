/**
 * Token families (tokens.md §6): every token descending from one code, device
 * approval or implicit issue shares a family id, so a replayed code or refresh
 * token can revoke them all at once.
 */
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { sqlTime } from '#models/columns'

export async function revokeFamily(familyId: string, trx?: TransactionClientContract) {
  await (trx ?? db)
    .from('oidc_tokens')
    .where('family_id', familyId)
    .whereNull('revoked_at')
    .update({ revoked_at: sqlTime() })
}

/** Logout and consent revocation: every token of one user at one client */
export async function revokeUserClientTokens(userId: number, clientId: string) {
  await db
    .from('oidc_tokens')
    .where('user_id', userId)
    .where('client_id', clientId)
    .whereNull('revoked_at')
    .update({ revoked_at: sqlTime() })
}

/** Rows changed by an update, whatever the dialect returns */
export function affectedRows(result: unknown): number {
  return Number(Array.isArray(result) ? result[0] : result)
}
