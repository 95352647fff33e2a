import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { currentProviderSession } from '#http/provider_session'
import { NotFound } from '#services/oidc/protocol/errors'

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
