import { args } from '@adonisjs/core/ace'
import { findUser, loadUser } from '#services/accounts/users'
import { userOverview, type UserOverview } from '#services/accounts/user_overview'
import { AdminCommand } from './_admin_command.js'
import { describeUser, userJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

type Shown = ReturnType<typeof shownJson>

export default class UserShow extends AdminCommand {
  static commandName = 'user:show'
  static description =
    'Show a user: profile, addresses, live sessions, consents, live tokens per client and second factors'

  @args.string({ description: 'Email address, username or user id' })
  declare login: string

  protected async execute() {
    const { id } = await asAdminInput(findUser(this.login))
    const user = await loadUser(id)
    return shownJson(user, await userOverview(id))
  }

  protected describe(shown: Shown) {
    const lines = [
      describeUser(shown),
      `  joined ${shown.date_joined}, last login ${shown.last_login ?? 'never'}`,
      `  live sessions: ${shown.sessions}`,
      `  consents: ${shown.consents.length ? '' : 'none'}`,
      ...shown.consents.map(
        (consent) =>
          `    ${consent.client_name} (${consent.client_id}): ${consent.scopes.join(' ')}, until ${consent.expires_at}`
      ),
      `  live tokens: ${shown.tokens.length ? '' : 'none'}`,
      ...shown.tokens.map(
        (entry) =>
          `    ${entry.client_name} (${entry.client_id}): ${entry.access_tokens} access, ${entry.refresh_tokens} refresh`
      ),
      `  second factors: ${shown.factors.length ? '' : 'none'}`,
      ...shown.factors.map((factor) => `    ${factor.type}, added ${factor.created_at}`),
    ]
    return lines.map((line) => line.trimEnd()).join('\n')
  }
}

function shownJson(user: Parameters<typeof userJson>[0], overview: UserOverview) {
  return {
    ...userJson(user),
    date_joined: user.createdAt.toISO(),
    last_login: user.lastLoginAt?.toISO() ?? null,
    sessions: overview.sessions,
    consents: overview.consents.map((consent) => ({
      client_id: consent.clientId,
      client_name: consent.clientName,
      scopes: consent.scopes,
      granted_at: consent.grantedAt.toISO(),
      expires_at: consent.expiresAt.toISO(),
    })),
    tokens: overview.tokens.map((entry) => ({
      client_id: entry.clientId,
      client_name: entry.clientName,
      access_tokens: entry.accessTokens,
      refresh_tokens: entry.refreshTokens,
    })),
    factors: overview.factors.map((factor) => ({
      type: factor.type,
      created_at: factor.createdAt.toISO(),
      last_used_at: factor.lastUsedAt?.toISO() ?? null,
    })),
  }
}
