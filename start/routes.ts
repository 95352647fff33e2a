/*
 * Routes (endpoints.md §0.1). The JSON API endpoints carry no session; the
 * pages get the session, CSRF and auth stack.
 */
import router from '@adonisjs/core/services/router'
import { middleware, pageStack } from '#start/kernel'
import { PATHS } from '#services/oidc/paths'
import { publicPreflight } from '#services/oidc/cors'
import oidcConfig from '#config/oidc'

const DiscoveryController = () => import('#controllers/oidc/discovery_controller')
const JwksController = () => import('#controllers/oidc/jwks_controller')
const LoginController = () => import('#controllers/accounts/login_controller')
const SessionController = () => import('#controllers/accounts/session_controller')
const GrantsController = () => import('#controllers/accounts/grants_controller')
const StaticController = () => import('#controllers/static_controller')
const AuthorizeController = () => import('#controllers/oidc/authorize_controller')
const TokenController = () => import('#controllers/oidc/token_controller')
const UserinfoController = () => import('#controllers/oidc/userinfo_controller')

router.get(PATHS.discovery, [DiscoveryController, 'show'])
router.get(PATHS.jwks, [JwksController, 'show'])
router.route(PATHS.discovery, ['OPTIONS'], publicPreflight)
router.route(PATHS.jwks, ['OPTIONS'], publicPreflight)
router.get('/static/app.css', [StaticController, 'stylesheet'])

router.post(PATHS.token, [TokenController, 'issue'])
if (!oidcConfig.userinfoEndpoint) {
  router.route(PATHS.userinfo, ['GET', 'POST'], [UserinfoController, 'show'])
}

router
  .group(() => {
    router.get('/', [SessionController, 'home'])
    router.get(PATHS.login, [LoginController, 'show'])
    router.post(PATHS.login, [LoginController, 'store'])
    router.post(PATHS.accountLogout, [SessionController, 'destroy'])
    router.get(PATHS.grants, [GrantsController, 'index']).use(middleware.auth())
    router.post(PATHS.grants, [GrantsController, 'update']).use(middleware.auth())
  })
  .use(pageStack)

router.get(PATHS.authorize, [AuthorizeController, 'show']).use(pageStack)
router
  .post(PATHS.authorize, [AuthorizeController, 'store'])
  .use([middleware.session(), middleware.authorizeByPost(), middleware.shield(), middleware.initializeAuth()])

export { middleware }
