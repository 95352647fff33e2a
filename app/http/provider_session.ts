/**
 * The provider session: who is signed in, since when (`auth_time`, for
 * max_age and ID tokens), how (`amr`, RFC 8176 methods) and its session id
 * (`sid`, for ID tokens and back-channel logout). Its data lives in the session store every process
 * reads; whether it is still live is decided by its user_sessions row, on
 * every request that reads the signed-in user.
 */
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { randomValue } from '#services/oidc/protocol/random'
import { clientIp } from '#http/client_ip'
import { recordEvent } from '#services/audit/record_event'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import {
  checkUserSession,
  endUserSession,
  recordUserSession,
} from '#services/accounts/user_sessions'

const AUTH_TIME = 'oidc_auth_time'
const SID = 'oidc_sid'
const AMR = 'oidc_amr'

export type ProviderSession = {
  user: User
  authTime: number
  sid: string
  /** How the latest authentication (at `authTime`) was made */
  amr: AuthenticationMethod[]
}

/* What a request found, so that the middleware and the page read the row once */
const found = new WeakMap<HttpContext, Promise<ProviderSession | null>>()

/** How a person signed in: the login form, the end of a signup, an email confirmation link, or a passkey */
export type SignInMethod = 'password' | 'signup' | 'email_confirmation' | 'passkey'

/** A login: a new session for the user, with a fresh `auth_time` and `sid` */
export async function startProviderSession(
  ctx: HttpContext,
  user: User,
  method: SignInMethod,
  amr: AuthenticationMethod[] = ['pwd']
) {
  ctx.session.regenerate()
  await ctx.auth.use('web').login(user)
  const sid = randomValue(24)
  recordAuthentication(ctx, amr)
  ctx.session.put(SID, sid)
  found.delete(ctx)
  await recordUserSession({
    sid,
    userId: user.id,
    ip: clientIp(ctx.request),
    userAgent: ctx.request.header('user-agent') ?? null,
  })
  /* a query, not save(): signing in must not move `updated_at`, which is a profile claim */
  await User.query().where('id', user.id).update({ last_login_at: sqlTime() })
  await recordEvent(
    'sign_in.succeeded',
    { userId: user.id, ip: clientIp(ctx.request), data: { method } },
    { logger: ctx.logger }
  )
}

/** The signed-in, active user with their session facts, or null */
export function currentProviderSession(ctx: HttpContext): Promise<ProviderSession | null> {
  let session = found.get(ctx)
  if (!session) {
    session = readProviderSession(ctx)
    found.set(ctx, session)
  }
  return session
}

/**
 * A new authentication in this session (a reauthentication or a second
 * factor given again): `auth_time` moves to now and `amr` says how. The
 * methods are stored with their time, so that a later change of `auth_time`
 * that did not record its methods reads as a password alone.
 */
export function recordAuthentication(ctx: HttpContext, amr: AuthenticationMethod[]) {
  const now = Math.floor(Date.now() / 1000)
  ctx.session.put(AUTH_TIME, now)
  ctx.session.put(AMR, { time: now, methods: amr })
  found.delete(ctx)
}

function amrOf(value: unknown, authTime: number): AuthenticationMethod[] {
  const stored = value as { time?: unknown; methods?: unknown } | undefined
  if (stored?.time === authTime && Array.isArray(stored.methods))
    return stored.methods as AuthenticationMethod[]
  return ['pwd']
}

async function readProviderSession(ctx: HttpContext): Promise<ProviderSession | null> {
  if (!(await ctx.auth.use('web').check())) return null
  const user = ctx.auth.use('web').user!
  const authTime = ctx.session.get(AUTH_TIME)
  const sid = ctx.session.get(SID)
  if (typeof authTime !== 'number' || typeof sid !== 'string') return null
  if (!(await checkUserSession(sid, user.id))) {
    /* ended elsewhere, or too old: this cookie forgets the user too */
    await forget(ctx)
    return null
  }
  return user.isActive ? { user, authTime, sid, amr: amrOf(ctx.session.get(AMR), authTime) } : null
}

async function forget(ctx: HttpContext) {
  await ctx.auth.use('web').logout()
  ctx.session.forget(AUTH_TIME)
  ctx.session.forget(SID)
  ctx.session.forget(AMR)
  ctx.session.regenerate()
}

/**
 * The password (or, with MFA, a code) was given again: `auth_time` moves to
 * now, which opens *reauth* pages for ACCOUNT_REAUTHENTICATION_TIMEOUT and is
 * the `auth_time` of the ID tokens issued from here on.
 */
export function markReauthenticated(ctx: HttpContext) {
  ctx.session.put(AUTH_TIME, Math.floor(Date.now() / 1000))
  found.delete(ctx)
}

/** Ends the session; returns the sid that ended (for back-channel logout) */
export async function endProviderSession(ctx: HttpContext): Promise<string | null> {
  const sid = ctx.session.get(SID)
  if (typeof sid === 'string') await endUserSession(sid)
  await forget(ctx)
  found.delete(ctx)
  return typeof sid === 'string' ? sid : null
}
