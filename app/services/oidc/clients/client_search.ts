import OidcClient from '#models/oidc_client'
import { CONTAINS, containsPattern } from '#database/contains_pattern'

/** How many clients the console lists at most */
export const LISTED_CLIENTS = 200

/** Clients whose id or name contains `query` (all without one), by name */
export function searchClients(query: string): Promise<OidcClient[]> {
  const clients = OidcClient.query().orderBy('name').orderBy('id').limit(LISTED_CLIENTS)
  if (!query.trim()) return clients
  const pattern = containsPattern(query)
  return clients.where((where) =>
    where
      .whereRaw(`LOWER(id) ${CONTAINS}`, [pattern])
      .orWhereRaw(`LOWER(name) ${CONTAINS}`, [pattern])
  )
}
