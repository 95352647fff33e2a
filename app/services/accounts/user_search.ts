import User from '#models/user'
import { CONTAINS, containsPattern } from '#database/contains_pattern'

/** How many users the console lists at most */
export const LISTED_USERS = 200

/**
 * Users whose username, any email address, first or last name contains
 * `query` (all without one), newest first, with their addresses.
 */
export function searchUsers(query: string): Promise<User[]> {
  const users = User.query()
    .preload('emailAddresses', (addresses) => addresses.orderBy('primary', 'desc').orderBy('id'))
    .orderBy('id', 'desc')
    .limit(LISTED_USERS)
  if (!query.trim()) return users
  const pattern = containsPattern(query)
  return users.where((where) =>
    where
      .whereRaw(`LOWER(username) ${CONTAINS}`, [pattern])
      .orWhereRaw(`LOWER(first_name) ${CONTAINS}`, [pattern])
      .orWhereRaw(`LOWER(last_name) ${CONTAINS}`, [pattern])
      .orWhereIn('id', (addresses) =>
        addresses.from('email_addresses').select('user_id').whereRaw(`email ${CONTAINS}`, [pattern])
      )
  )
}
