import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { currentProviderSession } from '#http/provider_session'
import { NotFound } from '#services/oidc/protocol/errors'
import { findAuthenticator, hasSecondFactor } from '#services/mfa/authenticator_store'
import { MFA_PATHS } from '#services/mfa/paths'
import { redirectTo } from '#http/page_responses'
import mfaConfig from '#config/mfa'

/* Requests the console turned away, so that the gate (outside the session) can drop their cookies */
const turnedAway = new WeakSet<HttpContext>()

/**
 * The admin console is for signed-in, active staff only. Anyone else gets
 * the page every unknown path gets: no login redirect, no CSRF error (this
 * runs before the CSRF check), and no session cookie (the gate below), so
 * nothing tells that the console is there.
 */
export default class StaffMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const session = await currentProviderSession(ctx)
    if (!session?.user.isStaff) {
      turnedAway.add(ctx)
      throw new NotFound().asPage()
    }
    /* ADMIN_REQUIRE_MFA: a stolen password alone does not open the console */
    if (mfaConfig.adminRequireMfa && !session.amr.includes('mfa')) {
      /* the reauthenticate page takes a code: staff with an authenticator app give one there */
      if (await findAuthenticator(session.user.id, 'totp')) {
        /* a POST's page is its own path: `next` must be a page that can be shown again */
        const back = ctx.request.method() === 'GET' ? ctx.request.url(true) : ctx.request.url()
        return redirectTo(ctx, `${MFA_PATHS.reauthenticate}?${new URLSearchParams({ next: back })}`)
      }
      const page = await ctx.view.render('admin/mfa_required', {
        setup: MFA_PATHS.index,
        keyOnly: await hasSecondFactor(session.user.id),
      })
      return ctx.response.status(403).send(page)
    }
    return next()
  }
}

/**
 * Runs outside the session middleware: a request the console turned away
 * leaves without the session cookie the session would otherwise set, as an
 * unknown path does.
 */
export class ConsoleGateMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    try {
      return await next()
    } finally {
      if (turnedAway.has(ctx)) ctx.response.removeHeader('set-cookie')
    }
  }
}
