import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { ApiRequest } from '#services/oidc/clients/api_request'
import { readApiForm } from '#services/oidc/protocol/parameters'
import { setCorsClient } from '#http/cors'
import { clientIp } from '#http/client_ip'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** Set by the apiForm middleware: the form-body API request as plain values */
    apiRequest: ApiRequest
  }
}

/**
 * The form-body API endpoints (token, revoke, introspect, device code): the
 * body is read strictly and checked before the endpoint runs (docs/endpoints.md#api-request-format), and the
 * request is handed on as plain values.
 */
export default class ApiFormMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const { request } = ctx
    ctx.apiRequest = {
      params: readApiForm({
        url: request.request.url ?? '',
        contentType: request.header('content-type'),
        body: request.raw(),
      }),
      authorization: request.header('authorization'),
      ip: clientIp(request),
      adapter: ctx.oidcAdapter,
      logger: ctx.logger,
      clientAuthenticated: (client) => setCorsClient(ctx, client),
    }
    return next()
  }
}
