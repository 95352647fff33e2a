import { defineConfig } from '@adonisjs/shield'

/*
 * CSRF on every state-changing form. An authorization request POSTed by an RP
 * is redirected before this check (authorize_by_post middleware); a logout
 * request POSTed by an RP is excepted (docs/endpoints.md#rp-initiated-logout).
 * The CSP and other page headers are set by the html_security middleware.
 */
const shieldConfig = defineConfig({
  csp: { enabled: false, directives: {}, reportOnly: false },
  csrf: {
    enabled: true,
    /* an RP's logout POST carries no token; it is answered with the ask page, whose own POST is checked */
    exceptRoutes: (ctx) =>
      ctx.route?.name === 'logout.submit' &&
      !(ctx.request.input('_csrf') && ctx.request.input('action')),
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
