import { defineConfig } from '@adonisjs/shield'
import { PATHS } from '#services/oidc/paths'

/*
 * CSRF on every state-changing form. The authorize and logout endpoints are
 * excepted because an RP may POST to them cross-site; their controllers check
 * the token by hand where endpoints.md §3.3 and §10 require it.
 * The CSP and other page headers are set by the html_security middleware.
 */
const shieldConfig = defineConfig({
  csp: { enabled: false, directives: {}, reportOnly: false },
  csrf: {
    enabled: true,
    exceptRoutes: [PATHS.authorize, PATHS.logout],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
