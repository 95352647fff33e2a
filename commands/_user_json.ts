/**
 * The user JSON shape of the user:* commands (docs/operations.md#commands).
 */
import type User from '#models/user'

/** Needs `emailAddresses` preloaded (app/services/accounts/users.ts loadUser) */
export function userJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    emails: user.emailAddresses.map(({ email, verified, primary }) => ({
      email,
      verified,
      primary,
    })),
  }
}

export type UserJson = ReturnType<typeof userJson>

export function describeUser(user: UserJson) {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ')
  const lines = [
    `User ${user.id}${user.username ? ` ${user.username}` : ''}${name ? ` (${name})` : ''}${user.is_active ? '' : ', inactive'}${user.is_staff ? ', staff' : ''}${user.is_superuser ? ', superuser' : ''}`,
  ]
  for (const address of user.emails) {
    lines.push(
      `  ${address.email}${address.primary ? ', primary' : ''}${address.verified ? ', verified' : ''}`
    )
  }
  return lines.join('\n')
}
