/**
 * Where a sign-in goes once the password matched: straight in, or, for a
 * user with a second factor, to /accounts/2fa/authenticate/ with the sign-in
 * held back (app/services/mfa/sign_in_stage.ts). Every way of signing in
 * with a password passes here, so none skips the second factor.
 */
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import {
  currentProviderSession,
  startProviderSession,
  type SignInMethod,
} from '#http/provider_session'
import { hasSecondFactor } from '#services/mfa/authenticator_store'
import { beginSignInStage } from '#services/mfa/sign_in_stage'
import { MFA_PATHS } from '#services/mfa/paths'

/** Signs the user in, or holds the sign-in for its second factor; where the browser goes next */
export async function afterPassword(
  ctx: HttpContext,
  user: User,
  next: string,
  method: SignInMethod
): Promise<string> {
  if (await hasSecondFactor(user.id)) {
    await beginSignInStage(ctx.session, {
      userId: user.id,
      next,
      methods: ['pwd'],
      purpose: 'login',
    })
    return MFA_PATHS.authenticate
  }
  await startProviderSession(ctx, user, method, ['pwd'])
  return next
}

/** A signed-in session gives its second factor (again); where the browser goes to give it */
export async function beginStepUp(ctx: HttpContext, next: string): Promise<string> {
  const session = (await currentProviderSession(ctx))!
  await beginSignInStage(ctx.session, {
    userId: session.user.id,
    next,
    methods: session.amr,
    purpose: 'step_up',
  })
  return MFA_PATHS.authenticate
}
