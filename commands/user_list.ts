import { flags } from '@adonisjs/core/ace'
import { listUsers, type UserSummary } from '#services/accounts/users'
import { AdminCommand } from './_admin_command.js'

export default class UserList extends AdminCommand {
  static commandName = 'user:list'
  static description =
    'List the users, optionally those whose username, names or addresses contain TEXT'

  @flags.string({ description: 'Only users whose username, names or an address contain TEXT' })
  declare search?: string

  protected async execute() {
    const users = await listUsers(this.search)
    return users.map(userSummaryJson)
  }

  protected describe(users: ReturnType<typeof userSummaryJson>[]) {
    if (!users.length) return this.search ? `No user matches "${this.search}"` : 'No users'
    return users
      .map((user) =>
        [
          String(user.id).padStart(6),
          (user.username ?? '-').padEnd(20),
          `${user.email ?? '-'}${user.email && !user.email_verified ? ' (unverified)' : ''}`.padEnd(
            40
          ),
          [user.is_active ? 'active' : 'inactive', ...(user.is_staff ? ['staff'] : [])]
            .join(',')
            .padEnd(14),
          `last login ${user.last_login ?? 'never'}`,
        ].join('  ')
      )
      .join('\n')
  }
}

function userSummaryJson(user: UserSummary) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    is_active: user.isActive,
    is_staff: user.isStaff,
    last_login: user.lastLoginAt?.toISO() ?? null,
  }
}
