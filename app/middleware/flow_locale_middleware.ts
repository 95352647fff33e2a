import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { useLocale } from '#middleware/locale_middleware'
import { fromNextPath, fromUiLocales } from '#services/i18n/locale'
import { PATHS } from '#services/oidc/protocol/paths'

const FLOW_LOCALE = 'flow_ui_locale'

/**
 * The language of an OIDC flow's pages: the `ui_locales` of its authorization
 * request, seen on that request or in the `next` (query or form) of the
 * account pages it passes through, and remembered in the session until the
 * flow ends (forgetFlowLocale) or another authorization request starts, so
 * that a sign-up's confirmation page or the consent form's POST keep it.
 */
export default class FlowLocaleMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const { request, session } = ctx
    const startsFlow = request.url() === PATHS.authorize && request.method() === 'GET'
    const asked = startsFlow
      ? fromUiLocales(request.qs().ui_locales)
      : (fromNextPath(request.input('next')) ?? fromUiLocales(request.input('ui_locales')))
    if (asked) session.put(FLOW_LOCALE, asked)
    else if (startsFlow) session.forget(FLOW_LOCALE)

    const locale = asked ?? (startsFlow ? null : session.get(FLOW_LOCALE))
    if (typeof locale === 'string') useLocale(ctx, locale)
    return next()
  }
}

/** The flow is over (the relying party has its answer): pages follow the browser again */
export function forgetFlowLocale(ctx: HttpContext) {
  ctx.session.forget(FLOW_LOCALE)
}
