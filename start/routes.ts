/*
 * Routes (docs/endpoints.md#routes). The JSON API endpoints carry no session; the
 * pages get the session, CSRF and auth stack.
 */
import router from '@adonisjs/core/services/router'
import { middleware, pageStack } from '#start/kernel'
import { PATHS } from '#services/oidc/protocol/paths'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { publicPreflight } from '#services/oidc/clients/cors'
import oidcConfig from '#config/oidc'
import observabilityConfig from '#config/observability'

const DiscoveryController = () => import('#controllers/oidc/discovery_controller')
const JwksController = () => import('#controllers/oidc/jwks_controller')
const LoginController = () => import('#controllers/accounts/login_controller')
const SessionController = () => import('#controllers/accounts/session_controller')
const GrantsController = () => import('#controllers/accounts/grants_controller')
const SignupController = () => import('#controllers/accounts/signup_controller')
const EmailVerificationController = () =>
  import('#controllers/accounts/email_verification_controller')
const EmailController = () => import('#controllers/accounts/email_controller')
const StaticController = () => import('#controllers/static_controller')
const AuthorizeController = () => import('#controllers/oidc/authorize_controller')
const TokenController = () => import('#controllers/oidc/token_controller')
const UserinfoController = () => import('#controllers/oidc/userinfo_controller')
const RevokeController = () => import('#controllers/oidc/revoke_controller')
const IntrospectController = () => import('#controllers/oidc/introspect_controller')
const MeController = () => import('#controllers/api/me_controller')
const DeviceCodeController = () => import('#controllers/oidc/device_code_controller')
const DeviceController = () => import('#controllers/oidc/device_controller')
const LogoutController = () => import('#controllers/oidc/logout_controller')
const HealthController = () => import('#controllers/health_controller')
const MetricsController = () => import('#controllers/metrics_controller')

router.get(PATHS.discovery, [DiscoveryController, 'show'])
router
  .get(PATHS.oauthServerMetadata, [DiscoveryController, 'show'])
  .as('discovery.oauth_server_metadata')
router.get(PATHS.jwks, [JwksController, 'show'])
router.route(PATHS.discovery, ['OPTIONS'], publicPreflight)
router.route(PATHS.oauthServerMetadata, ['OPTIONS'], publicPreflight)
router.route(PATHS.jwks, ['OPTIONS'], publicPreflight)
router.get('/static/app.css', [StaticController, 'stylesheet'])

/* Operations (docs/observability.md): probes, and metrics only when a token protects them */
router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
if (observabilityConfig.metricsToken) router.get('/metrics', [MetricsController, 'show'])

/*
 * Form-body API endpoints: CORS for the origins their clients registered
 * (preflights answered there), then the body read strictly (docs/endpoints.md#api-request-format)
 */
const apiForm = [middleware.apiCors({ methods: 'POST, OPTIONS' }), middleware.apiForm()]
router.route(PATHS.token, ['POST', 'OPTIONS'], [TokenController, 'issue']).use(apiForm)
router.route(PATHS.revoke, ['POST', 'OPTIONS'], [RevokeController, 'revoke']).use(apiForm)
router
  .route(PATHS.introspect, ['POST', 'OPTIONS'], [IntrospectController, 'introspect'])
  .use(apiForm)
router.route(PATHS.deviceCode, ['POST', 'OPTIONS'], [DeviceCodeController, 'create']).use(apiForm)
if (!oidcConfig.userinfoEndpoint) {
  router
    .route(PATHS.userinfo, ['GET', 'POST', 'OPTIONS'], [UserinfoController, 'show'])
    .use(middleware.apiCors({ methods: 'GET, POST, OPTIONS' }))
}

/* The app's own API, protected by the access tokens this provider issues */
router.get('/api/me', [MeController, 'show']).use(middleware.oidcToken({ scopes: 'openid' }))

router
  .group(() => {
    router.get('/', [SessionController, 'home'])
    router.get(PATHS.login, [LoginController, 'show'])
    router.post(PATHS.login, [LoginController, 'store'])
    router.get(PATHS.accountLogout, [SessionController, 'confirmSignOut'])
    router.post(PATHS.accountLogout, [SessionController, 'destroy'])
    router.get(ACCOUNT_PATHS.signup, [SignupController, 'show'])
    router.post(ACCOUNT_PATHS.signup, [SignupController, 'store'])
    router.get(ACCOUNT_PATHS.confirmEmail, [EmailVerificationController, 'sent'])
    router.post(ACCOUNT_PATHS.confirmEmail, [EmailVerificationController, 'enterCode'])
    router.get(`${ACCOUNT_PATHS.confirmEmail}:key/`, [EmailVerificationController, 'show'])
    router.post(`${ACCOUNT_PATHS.confirmEmail}:key/`, [EmailVerificationController, 'confirm'])
    router.get(ACCOUNT_PATHS.email, [EmailController, 'index']).use(middleware.auth())
    router.post(ACCOUNT_PATHS.email, [EmailController, 'update']).use(middleware.auth())
    router.get(PATHS.grants, [GrantsController, 'index']).use(middleware.auth())
    router.post(PATHS.grants, [GrantsController, 'update']).use(middleware.auth())
    router.get(PATHS.logout, [LogoutController, 'show'])
    router.post(PATHS.logout, [LogoutController, 'submit'])
  })
  .use(pageStack)

/* The device page sends anonymous visitors to the login page before any CSRF check (docs/endpoints.md#device-page) */
const deviceStack = [
  middleware.session(),
  middleware.flowLocale(),
  middleware.initializeAuth(),
  middleware.auth(),
  middleware.shield(),
]
router.get(PATHS.device, [DeviceController, 'show']).use(deviceStack)
router.post(PATHS.device, [DeviceController, 'decide']).use(deviceStack)

router.get(PATHS.authorize, [AuthorizeController, 'show']).use(pageStack)
router
  .post(PATHS.authorize, [AuthorizeController, 'store'])
  .use([
    middleware.session(),
    middleware.flowLocale(),
    middleware.authorizeByPost(),
    middleware.shield(),
    middleware.initializeAuth(),
  ])

export { middleware }
