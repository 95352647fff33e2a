/*
 * Routes (endpoints.md §0.1). The JSON API endpoints carry no session; the
 * pages get the session, CSRF and auth stack.
 */
import router from '@adonisjs/core/services/router'
import { middleware, pageStack } from '#start/kernel'
import { PATHS } from '#services/oidc/paths'
import { publicPreflight } from '#services/oidc/cors'

const DiscoveryController = () => import('#controllers/oidc/discovery_controller')
const JwksController = () => import('#controllers/oidc/jwks_controller')
const LoginController = () => import('#controllers/accounts/login_controller')
const SessionController = () => import('#controllers/accounts/session_controller')
const StaticController = () => import('#controllers/static_controller')

router.get(PATHS.discovery, [DiscoveryController, 'show'])
router.get(PATHS.jwks, [JwksController, 'show'])
router.route(PATHS.discovery, ['OPTIONS'], publicPreflight)
router.route(PATHS.jwks, ['OPTIONS'], publicPreflight)
router.get('/static/app.css', [StaticController, 'stylesheet'])

router
  .group(() => {
    router.get('/', [SessionController, 'home'])
    router.get(PATHS.login, [LoginController, 'show'])
    router.post(PATHS.login, [LoginController, 'store'])
    router.post(PATHS.accountLogout, [SessionController, 'destroy'])
  })
  .use(pageStack)

export { middleware }
