import type { HttpContext } from '@adonisjs/core/http'
import { message } from '#services/i18n/message'
import User from '#models/user'
import { PATHS } from '#services/oidc/protocol/paths'
import { safeNextPath } from '#services/accounts/next_path'
import { startProviderSession } from '#http/provider_session'
import { addressToVerify } from '#services/accounts/email_verification/required'
import { redirectTo, withNext } from '#http/page_responses'
import { clientIp } from '#http/client_ip'
import { loginFailures } from '#services/observability/metrics'
import { hitRateLimit, refundRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { beginCeremony, takeChallenge } from '#services/mfa/webauthn/challenge_store'
import { requestOptions, userIdOfAnswer } from '#services/mfa/webauthn/ceremonies'
import { relyingParty } from '#services/mfa/webauthn/relying_party'
import { useSecurityKey } from '#services/mfa/webauthn/security_keys'
import { parseJsonField } from '#services/mfa/webauthn/json_field'

/**
 * /accounts/2fa/webauthn/login/ (MFA_PASSKEY_LOGIN_ENABLED): "Sign in with a
 * passkey" on the login page. Its script GETs a challenge as JSON, the
 * browser offers the site's passkeys, and the answer is posted here; the
 * passkey's user handle names the user (allauth's: the user id). A failure
 * goes back to the login page with allauth's "Incorrect code.".
 */
export default class PasskeyLoginController {
  async options(ctx: HttpContext) {
    /* allauth answers JSON to its script only; a person who opens the URL goes to the login page */
    if (!ctx.request.header('accept')?.startsWith('application/json'))
      return redirectTo(ctx, PATHS.login)
    const options = await requestOptions(
      relyingParty(),
      'passkeys',
      await beginCeremony(ctx.session, 'passkey_login', null)
    )
    return ctx.response.json({ request_options: { publicKey: options } })
  }

  async store(ctx: HttpContext) {
    const next = safeNextPath(ctx.request.input('next'))
    const ip = clientIp(ctx.request)
    const challenge = await takeChallenge(ctx.session, 'passkey_login', null)
    const answer = parseJsonField(ctx.request.input('credential'))
    const userId = userIdOfAnswer(answer)
    const refused = (reason: string, problem = message('forms.incorrect_code')) => {
      ctx.logger.info({ reason, ip, user: userId }, 'passkey sign-in failed')
      loginFailures.inc({ reason: `passkey_${reason}` })
      ctx.session.flash('problems', [problem])
      return redirectTo(ctx, withNext(PATHS.login, next))
    }

    /* counted as the password sign-in counts: every attempt per IP, failures per account */
    const subject = { ip, user: userId, key: userId ? `user ${userId}` : `passkey ${ip}` }
    try {
      await hitRateLimit('login', { ip })
      await hitRateLimit('login_failed', subject)
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error
      return refused('rate_limited', message('accounts.login.errors.rate_limited'))
    }
    if (!challenge || !userId) return refused('incorrect')
    const use = await useSecurityKey(relyingParty(), userId, answer, challenge, { passkey: true })
    if (!use) return refused('incorrect')
    await refundRateLimit('login_failed', subject)

    const user = await User.find(use.userId)
    if (!user?.isActive) return refused('inactive', message('accounts.login.errors.inactive'))
    /* ACCOUNT_EMAIL_VERIFICATION=mandatory: the password sign-in sends the verification mail */
    if (await addressToVerify(user, ''))
      return refused('unverified', message('accounts.login.errors.passkey_unverified'))
    /*
     * The key verified the person (UV, required above): possession and a PIN or
     * biometric, two factors (WebAuthn's multi-factor authenticator), so `mfa`;
     * without it every authorization would send the user to a second factor
     * that a key alone could never complete.
     */
    await startProviderSession(ctx, user, 'passkey', [use.method, 'mfa'])
    return redirectTo(ctx, next)
  }
}
