import { message } from '#services/i18n/message'
import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession } from '#http/provider_session'
import { endUserSessions, listUserSessions } from '#services/accounts/user_sessions'
import { announceEndedSessions } from '#services/accounts/sign_out'
import { checkRecentAuthentication } from '#http/recent_authentication'
import { redirectTo } from '#http/page_responses'
import { describeUserAgent } from '#services/accounts/user_agent'
import { ACCOUNT_PATHS } from '#services/accounts/paths'

const TIME_FORMAT = "yyyy-LL-dd HH:mm 'UTC'"

/** /accounts/sessions/ (docs/accounts.md, Sessions; allauth.usersessions); signed-in only */
export default class UserSessionsController {
  async index(ctx: HttpContext) {
    const current = (await currentProviderSession(ctx))!
    const sessions = await listUserSessions(current.user.id)
    return ctx.view.render('accounts/sessions', {
      sessions: sessions.map((session) => ({
        current: session.sid === current.sid,
        ip: session.ip ?? 'unknown',
        browser: describeUserAgent(session.userAgent),
        userAgent: session.userAgent,
        createdAt: session.createdAt.toFormat(TIME_FORMAT),
        createdAtIso: session.createdAt.toISO(),
        lastSeenAt: session.lastSeenAt.toFormat(TIME_FORMAT),
        lastSeenAtIso: session.lastSeenAt.toISO(),
      })),
    })
  }

  /** "Sign out other sessions": each ends on the server now, and its clients are told */
  async endOthers(ctx: HttpContext) {
    if (!(await checkRecentAuthentication(ctx, ACCOUNT_PATHS.sessions))) return
    const current = (await currentProviderSession(ctx))!
    const ended = await endUserSessions(current.user.id, { except: current.sid })
    await announceEndedSessions(ctx.oidcAdapter, ended)
    ctx.session.flash('notices', [message('accounts.sessions.ended', { count: ended.length })])
    return redirectTo(ctx, ACCOUNT_PATHS.sessions)
  }
}
