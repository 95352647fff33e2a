/*
 * Middleware stacks. Server middleware runs on every request (even unknown
 * routes); router middleware on every matched route. Sessions, CSRF and the
 * session guard are named middleware used only by the pages (start/routes.ts),
 * so that the JSON API endpoints neither read nor set a session cookie.
 */
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/no_store_middleware'),
  () => import('#middleware/strict_paths_middleware'),
  () => import('#middleware/page_security_middleware'),
  () => import('#middleware/locale_middleware'),
])

router.use([() => import('@adonisjs/core/bodyparser_middleware')])

export const middleware = router.named({
  session: () => import('@adonisjs/session/session_middleware'),
  shield: () => import('@adonisjs/shield/shield_middleware'),
  flowLocale: () => import('#middleware/flow_locale_middleware'),
  initializeAuth: () => import('@adonisjs/auth/initialize_auth_middleware'),
  auth: () => import('#middleware/auth_middleware'),
  requireRecentAuthentication: () => import('#middleware/recent_authentication_middleware'),
  consoleGate: () => import('#middleware/console_gate_middleware'),
  staff: () => import('#middleware/staff_middleware'),
  authorizeByPost: () => import('#middleware/authorize_by_post_middleware'),
  apiCors: () => import('#middleware/api_cors_middleware'),
  apiForm: () => import('#middleware/api_form_middleware'),
  oidcToken: () => import('#middleware/oidc_token_middleware'),
})

/** The stack of every HTML page: session, the flow's language, CSRF and the signed-in user */
export const pageStack = [
  middleware.session(),
  middleware.flowLocale(),
  middleware.shield(),
  middleware.initializeAuth(),
]

/** The admin console's pages: staff only, checked before CSRF so that others learn nothing */
export const consoleStack = [
  middleware.consoleGate(),
  middleware.session(),
  middleware.flowLocale(),
  middleware.initializeAuth(),
  middleware.staff(),
  middleware.shield(),
]

/** The console's changes, and the forms that make them: after a recent authentication too */
export const consoleChangeStack = [...consoleStack, middleware.requireRecentAuthentication()]
