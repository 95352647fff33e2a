import { defineConfig } from '@adonisjs/shield'
import { PATHS } from '#services/oidc/paths'

/*
 * CSRF on every state-changing form. An authorization request POSTed by an RP
 * is redirected before this check (authorize_by_post middleware); the logout
 * endpoint is excepted because an RP may POST to it cross-site, and checks the
 * token itself where endpoints.md §10 requires it.
 * The CSP and other page headers are set by the html_security middleware.
 */
const shieldConfig = defineConfig({
  csp: { enabled: false, directives: {}, reportOnly: false },
  csrf: {
    enabled: true,
    exceptRoutes: [PATHS.logout],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
