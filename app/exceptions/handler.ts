import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { NotFound, OAuthError, ServerError, TooManyRequests } from '#services/oidc/protocol/errors'
import { isConsolePath } from '#services/admin/paths'
import { sendAuthorizationResponse } from '#http/authorization_response'
import { errorPageWords } from '#http/error_page'
import { JSON_PATHS, PATHS, isIdpPathWithTrailingSlash } from '#services/oidc/protocol/paths'
import { checkApiRequest } from '#services/oidc/protocol/parameters'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
/** The endpoints that read only a form body (docs/endpoints.md#api-request-format) */
const FORM_API_PATHS: string[] = [PATHS.token, PATHS.revoke, PATHS.introspect, PATHS.deviceCode]

/**
 * The one place that turns errors into responses. Protocol errors
 * (OAuthError) are delivered as their type says: JSON, a redirect to a matched
 * URI, or the error page. Everything else becomes a bare `server_error`: JSON
 * endpoints never show more, in any mode; the framework's debug page (stack,
 * SQL, paths) is shown only for pages, only in development.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = app.inDev

  async handle(error: unknown, ctx: HttpContext) {
    if (this.#showsDebugPage(error, ctx)) return super.handle(error, ctx)
    return this.#render(this.#toOAuthError(error, ctx), ctx)
  }

  #showsDebugPage(error: unknown, ctx: HttpContext) {
    return (
      this.debug &&
      !JSON_PATHS.test(ctx.request.url()) &&
      !(error instanceof OAuthError) &&
      !this.#isClientError(error)
    )
  }

  async report(error: unknown, ctx: HttpContext) {
    if (error instanceof OAuthError && error.status < 500) return
    return super.report(error, ctx)
  }

  #isClientError(error: unknown) {
    const status = (error as { status?: number }).status
    return typeof status === 'number' && status < 500
  }

  #toOAuthError(error: unknown, ctx: HttpContext): OAuthError {
    if (error instanceof OAuthError) return error
    const { code, status } = error as { code?: string; status?: number }
    const json = JSON_PATHS.test(ctx.request.url())
    const asDelivered = (oauthError: OAuthError) => (json ? oauthError : oauthError.asPage())
    switch (code) {
      case 'E_BAD_CSRF_TOKEN':
        return new OAuthError(
          'forbidden',
          'The form has expired or was not sent by this site. Go back and try again.',
          403
        ).asPage()
      case 'E_TOO_MANY_REQUESTS': {
        const retryAfter = Number(
          (error as { response?: { availableIn?: number } }).response?.availableIn ?? 60
        )
        return asDelivered(new TooManyRequests(retryAfter))
      }
      case 'E_ROUTE_NOT_FOUND':
        return asDelivered(this.#notFoundOrNotAllowed(ctx))
    }
    if (status === 413)
      return asDelivered(new OAuthError('invalid_request', 'Request body too large.', 413))
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (FORM_API_PATHS.includes(ctx.request.url())) return this.#unreadableApiBody(ctx)
      return asDelivered(
        new OAuthError('invalid_request', 'The request could not be read.', status)
      )
    }
    return asDelivered(new ServerError())
  }

  /**
   * The body parser failed (e.g. on malformed JSON, with 400 or 422) before
   * the endpoint ran its docs/endpoints.md#api-request-format checks: run the ones that come first, so that a
   * JSON body gets the Content-Type error; otherwise the body could not be
   * decoded (400).
   */
  #unreadableApiBody(ctx: HttpContext): OAuthError {
    try {
      checkApiRequest({
        url: ctx.request.request.url ?? '',
        contentType: ctx.request.header('content-type'),
      })
    } catch (error) {
      if (error instanceof OAuthError) return error
      throw error
    }
    return new OAuthError('invalid_request', 'The request body could not be read.')
  }

  /**
   * docs/endpoints.md#routes: a known path with another method is 405 with Allow.
   * Not in the admin console: its 404 must not tell anyone which paths exist.
   */
  #notFoundOrNotAllowed(ctx: HttpContext) {
    const path = ctx.request.url()
    /* The router would match the slash-less route: no Allow for these */
    const allowed =
      isIdpPathWithTrailingSlash(path) || isConsolePath(path)
        ? []
        : METHODS.filter(
            (method) => method !== ctx.request.method() && router.match(path, method, false)
          )
    if (allowed.length) {
      return new OAuthError('invalid_request', 'Method not allowed.', 405).withHeader(
        'Allow',
        allowed.join(', ')
      )
    }
    return new NotFound()
  }

  async #render(error: OAuthError, ctx: HttpContext) {
    for (const [name, value] of Object.entries(error.headers)) ctx.response.header(name, value)
    const delivery = error.delivery
    if (delivery.kind === 'redirect') {
      const params: Record<string, string> = { error: error.error }
      if (error.description) params.error_description = error.description
      if (delivery.state) params.state = delivery.state
      params.iss = ctx.oidcAdapter.getIssuer()
      return sendAuthorizationResponse(ctx, { target: delivery, params })
    }
    if (delivery.kind === 'page') {
      ctx.response.status(error.status)
      return ctx.response.send(
        await ctx.view.render('oidc/error', {
          ...errorPageWords(error),
          error: error.error,
          description: error.description,
        })
      )
    }
    return ctx.response.status(error.status).json(error.toJSON())
  }
}
