/**
 * The provider session: who is signed in, since when (`auth_time`, for
 * max_age and ID tokens) and its session id (`sid`, for ID tokens and
 * back-channel logout). It lives in the session store every process reads.
 */
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { randomValue } from '#services/oidc/protocol/random'

const AUTH_TIME = 'oidc_auth_time'
const SID = 'oidc_sid'

export type ProviderSession = { user: User; authTime: number; sid: string }

/** A login: a new session for the user, with a fresh `auth_time` and `sid` */
export async function startProviderSession(ctx: HttpContext, user: User) {
  ctx.session.regenerate()
  await ctx.auth.use('web').login(user)
  ctx.session.put(AUTH_TIME, Math.floor(Date.now() / 1000))
  ctx.session.put(SID, randomValue(24))
  /* a query, not save(): signing in must not move `updated_at`, which is a profile claim */
  await User.query().where('id', user.id).update({ last_login_at: sqlTime() })
}

/** The signed-in, active user with their session facts, or null */
export async function currentProviderSession(ctx: HttpContext): Promise<ProviderSession | null> {
  if (!(await ctx.auth.use('web').check())) return null
  const user = ctx.auth.use('web').user!
  const authTime = ctx.session.get(AUTH_TIME)
  const sid = ctx.session.get(SID)
  if (!user.isActive || typeof authTime !== 'number' || typeof sid !== 'string') return null
  return { user, authTime, sid }
}

/** Ends the session; returns the sid that ended (for back-channel logout) */
export async function endProviderSession(ctx: HttpContext): Promise<string | null> {
  const sid = ctx.session.get(SID)
  await ctx.auth.use('web').logout()
  ctx.session.forget(AUTH_TIME)
  ctx.session.forget(SID)
  ctx.session.regenerate()
  return typeof sid === 'string' ? sid : null
}
