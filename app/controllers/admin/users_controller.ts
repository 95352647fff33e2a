import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { changeUser, loadUser } from '#services/accounts/users'
import { searchUsers } from '#services/accounts/user_search'
import { listUserSessions } from '#services/accounts/user_sessions'
import { signOutEverywhere } from '#services/accounts/sign_out'
import { sendResetByOperator } from '#services/accounts/password_reset/send_reset'
import { AccountInputError } from '#services/accounts/users'
import { listConsents, revokeConsent } from '#services/oidc/authorize/consent_store'
import { listLiveTokens, revokeTokenOf, revokeUserTokens } from '#services/oidc/tokens/token_store'
import { NotFound } from '#services/oidc/protocol/errors'
import {
  consentRows,
  factorRows,
  sessionRows,
  shownTime,
  tokenRows,
  userLabel,
} from '#services/admin/display'
import { resetMfaPath, userPath } from '#services/admin/paths'
import { listAuthenticators } from '#services/mfa/authenticator_store'
import { resetMfa } from '#services/mfa/reset'
import {
  doneThen,
  formText,
  recordChange,
  refusedThen,
  searchQuery,
  staffUser,
} from '#http/console_pages'

/** A positive whole number from the path or a form, else null */
function idOf(value: unknown) {
  const id = Number(value)
  return typeof value === 'string' && /^\d{1,10}$/.test(value) && id > 0 ? id : null
}

async function userOf(ctx: HttpContext): Promise<User> {
  const id = idOf(ctx.params.id)
  const user = id && (await User.find(id))
  if (!user) throw new NotFound().asPage()
  return loadUser(user.id)
}

/** /admin/users/…: find people, see what they hold, and take it away (docs/admin.md) */
export default class UsersController {
  async index(ctx: HttpContext) {
    const query = searchQuery(ctx)
    const users = await searchUsers(query)
    return ctx.view.render('admin/users', {
      query,
      users: users.map((user) => ({
        id: user.id,
        login: userLabel(user),
        email: user.emailAddresses[0]?.email ?? '—',
        name: [user.firstName, user.lastName].filter(Boolean).join(' ') || '—',
        active: user.isActive,
        staff: user.isStaff,
        path: userPath(user.id),
      })),
    })
  }

  async show(ctx: HttpContext) {
    const user = await userOf(ctx)
    const staff = await staffUser(ctx)
    return ctx.view.render('admin/user', {
      user: {
        id: user.id,
        login: userLabel(user),
        username: user.username ?? '—',
        name: [user.firstName, user.lastName].filter(Boolean).join(' ') || '—',
        active: user.isActive,
        staff: user.isStaff,
        superuser: user.isSuperuser,
        joined: shownTime(user.createdAt),
        lastLogin: shownTime(user.lastLoginAt),
        path: userPath(user.id),
        resetMfaPath: resetMfaPath(user.id),
        self: user.id === staff.id,
      },
      factors: factorRows(await listAuthenticators(user.id)),
      emails: user.emailAddresses.map(({ email, verified, primary }) => ({
        email,
        verified,
        primary,
      })),
      sessions: sessionRows(await listUserSessions(user.id)),
      consents: await consentRows(await listConsents(user.id)),
      tokens: await tokenRows(await listLiveTokens({ userId: user.id })),
    })
  }

  /** Reset Two-Factor asks first: the person will sign in with the password alone */
  async confirmMfaReset(ctx: HttpContext) {
    const user = await userOf(ctx)
    return ctx.view.render('admin/user_mfa_reset', {
      user: {
        login: userLabel(user),
        path: userPath(user.id),
        resetMfaPath: resetMfaPath(user.id),
      },
      factors: factorRows(await listAuthenticators(user.id)),
    })
  }

  /** As user:mfa-reset, with the same event */
  async resetMfa(ctx: HttpContext) {
    const user = await userOf(ctx)
    const { removed } = await resetMfa(user.id)
    await recordChange(ctx, 'admin.user_mfa_reset', { userId: user.id, data: { removed } })
    return doneThen(
      ctx,
      `Reset two-factor authentication of ${userLabel(user)}.`,
      userPath(user.id)
    )
  }

  /** The show page's buttons, one action each */
  async act(ctx: HttpContext) {
    const user = await userOf(ctx)
    const staff = await staffUser(ctx)
    const back = userPath(user.id)
    const subject = { userId: user.id }
    switch (formText(ctx, 'action')) {
      case 'deactivate':
        /* the console would lock its own user out mid-change */
        if (user.id === staff.id) return refusedThen(ctx, 'You cannot deactivate yourself.', back)
        /* as user:update --inactive: sessions end, tokens stop working while inactive */
        await changeUser(user, { isActive: false })
        await recordChange(ctx, 'admin.user_updated', { ...subject, data: { is_active: false } })
        return doneThen(ctx, `Deactivated ${userLabel(user)}.`, back)
      case 'activate':
        await changeUser(user, { isActive: true })
        await recordChange(ctx, 'admin.user_updated', { ...subject, data: { is_active: true } })
        return doneThen(ctx, `Activated ${userLabel(user)}.`, back)
      case 'sign_out': {
        const { sessions, tokens } = await signOutEverywhere(ctx.oidcAdapter, user.id)
        await recordChange(ctx, 'admin.user_signed_out', { ...subject, data: { sessions, tokens } })
        return doneThen(
          ctx,
          `Signed ${userLabel(user)} out everywhere: ${sessions} session(s) ended, every token revoked.`,
          back
        )
      }
      case 'send_reset': {
        /* as user:send-reset: a link to the primary address, on the issuer's origin */
        try {
          const origin = new URL(ctx.oidcAdapter.getIssuer()).origin
          const sent = await sendResetByOperator(userLabel(user), origin)
          return doneThen(ctx, `Sent a password reset link to ${sent.email}.`, back)
        } catch (error) {
          if (error instanceof AccountInputError) return refusedThen(ctx, error.message, back)
          throw error
        }
      }
      case 'revoke_tokens':
        await revokeUserTokens(user.id)
        await recordChange(ctx, 'admin.tokens_revoked', subject)
        return doneThen(ctx, `Revoked every token of ${userLabel(user)}.`, back)
      case 'revoke_token': {
        const token = idOf(formText(ctx, 'token_id'))
        if (token) await revokeTokenOf({ userId: user.id }, token)
        await recordChange(ctx, 'admin.tokens_revoked', { ...subject, data: { token_id: token } })
        return doneThen(ctx, 'Token revoked.', back)
      }
      case 'revoke_consent': {
        const clientId = formText(ctx, 'client_id')
        await revokeConsent(user.id, clientId)
        await recordChange(ctx, 'consent.revoked', { ...subject, clientId })
        return doneThen(ctx, 'Consent and its tokens revoked.', back)
      }
    }
    return refusedThen(ctx, 'Choose an action.', back)
  }
}
