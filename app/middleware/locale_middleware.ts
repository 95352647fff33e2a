import { I18n } from '@adonisjs/i18n'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { JSON_PATHS } from '#services/oidc/protocol/paths'
import { mailSite } from '#services/accounts/mail/compose'
import {
  defaultLocale,
  fromAcceptLanguage,
  fromNextPath,
  fromUiLocales,
  translator,
} from '#services/i18n/locale'

let apiTranslator: I18n | undefined

/** Gives the request its translator as `ctx.i18n`, and `t()` to its views */
export function useLocale(ctx: HttpContext, locale: string) {
  ctx.i18n = translator(locale)
  ctx.containerResolver.bindValue(I18n, ctx.i18n)
  ctx.view.share({ i18n: ctx.i18n, locale })
}

/**
 * What every page shows: the site's name (SITE_NAME, else the provider's host)
 * and its language. Every request starts with the language its URL or browser asks for
 * (`ui_locales`, `next` leading to an authorization request, Accept-Language),
 * so that even error pages of unknown paths are translated. Pages refine it
 * with the flow's remembered choice (flow_locale_middleware).
 */
export default class LocaleMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const { request } = ctx
    if (JSON_PATHS.test(request.url())) {
      /* no page is rendered here: the default language, whose translator all such requests share */
      ctx.i18n = apiTranslator ??= translator(defaultLocale())
      ctx.containerResolver.bindValue(I18n, ctx.i18n)
      return next()
    }
    const query = request.qs()
    useLocale(
      ctx,
      fromUiLocales(query.ui_locales) ??
        fromNextPath(query.next) ??
        fromAcceptLanguage(request.languages()) ??
        defaultLocale()
    )
    /* every page's header and title name the site */
    ctx.view.share({ siteName: mailSite(ctx.oidcAdapter.getIssuer()).name })
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    i18n: I18n
  }
}
