/*
 * Routes (docs/endpoints.md#routes). The JSON API endpoints carry no session; the
 * pages get the session, CSRF and auth stack.
 */
import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { consoleChangeStack, consoleStack, middleware, pageStack } from '#start/kernel'
import { PATHS } from '#services/oidc/protocol/paths'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { MFA_PATHS } from '#services/mfa/paths'
import { publicPreflight } from '#http/cors'
import oidcConfig from '#config/oidc'
import observabilityConfig from '#config/observability'
import mfaConfig from '#config/mfa'
import { WEBAUTHN_PATHS } from '#services/mfa/webauthn/paths'

const DiscoveryController = () => import('#controllers/oidc/discovery_controller')
const JwksController = () => import('#controllers/oidc/jwks_controller')
const LoginController = () => import('#controllers/accounts/login_controller')
const SessionController = () => import('#controllers/accounts/session_controller')
const GrantsController = () => import('#controllers/accounts/grants_controller')
const SignupController = () => import('#controllers/accounts/signup_controller')
const EmailVerificationController = () =>
  import('#controllers/accounts/email_verification_controller')
const EmailController = () => import('#controllers/accounts/email_controller')
const PasswordResetController = () => import('#controllers/accounts/password_reset_controller')
const PasswordResetCodeController = () =>
  import('#controllers/accounts/password_reset_code_controller')
const PasswordChangeController = () => import('#controllers/accounts/password_change_controller')
const ReauthenticateController = () => import('#controllers/accounts/reauthenticate_controller')
const UserSessionsController = () => import('#controllers/accounts/user_sessions_controller')
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
const AdminHomeController = () => import('#controllers/admin/home_controller')
const AdminClientsController = () => import('#controllers/admin/clients_controller')
const AdminUsersController = () => import('#controllers/admin/users_controller')
const AdminKeysController = () => import('#controllers/admin/keys_controller')
const AdminEventsController = () => import('#controllers/admin/events_controller')
const MfaAuthenticateController = () => import('#controllers/mfa/authenticate_controller')
const MfaOverviewController = () => import('#controllers/mfa/overview_controller')
const TotpController = () => import('#controllers/mfa/totp_controller')
const RecoveryCodesController = () => import('#controllers/mfa/recovery_codes_controller')
const MfaReauthenticateController = () => import('#controllers/mfa/reauthenticate_controller')
const MetricsController = () => import('#controllers/metrics_controller')
const SecurityKeysController = () => import('#controllers/mfa/security_keys_controller')
const PasskeyLoginController = () => import('#controllers/mfa/passkey_login_controller')

router.get(PATHS.discovery, [DiscoveryController, 'show'])
router
  .get(PATHS.oauthServerMetadata, [DiscoveryController, 'show'])
  .as('discovery.oauth_server_metadata')
router.get(PATHS.jwks, [JwksController, 'show'])
router.route(PATHS.discovery, ['OPTIONS'], publicPreflight)
router.route(PATHS.oauthServerMetadata, ['OPTIONS'], publicPreflight)
router.route(PATHS.jwks, ['OPTIONS'], publicPreflight)
router.get('/static/app.css', [StaticController, 'stylesheet'])
router.get('/static/webauthn.js', [StaticController, 'webauthnScript'])
router.get('/static/simplewebauthn-browser.js', [StaticController, 'webauthnBrowser'])

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
    router.get(ACCOUNT_PATHS.passwordReset, [PasswordResetController, 'show'])
    router.post(ACCOUNT_PATHS.passwordReset, [PasswordResetController, 'request'])
    router.get(ACCOUNT_PATHS.passwordResetDone, [PasswordResetController, 'sent'])
    router.get(ACCOUNT_PATHS.passwordResetKeyDone, [PasswordResetController, 'done'])
    router.get(`${ACCOUNT_PATHS.passwordResetKey}:uidkey/`, [PasswordResetController, 'openKey'])
    router.post(`${ACCOUNT_PATHS.passwordResetKey}:uidkey/`, [
      PasswordResetController,
      'setPassword',
    ])
    router.get(ACCOUNT_PATHS.passwordResetConfirm, [PasswordResetCodeController, 'show'])
    router.post(ACCOUNT_PATHS.passwordResetConfirm, [PasswordResetCodeController, 'enterCode'])
    router.get(ACCOUNT_PATHS.passwordResetComplete, [PasswordResetCodeController, 'showComplete'])
    router.post(ACCOUNT_PATHS.passwordResetComplete, [PasswordResetCodeController, 'complete'])
    router
      .get(ACCOUNT_PATHS.passwordChange, [PasswordChangeController, 'show'])
      .use(middleware.auth())
    router
      .post(ACCOUNT_PATHS.passwordChange, [PasswordChangeController, 'update'])
      .use(middleware.auth())
    router
      .get(ACCOUNT_PATHS.reauthenticate, [ReauthenticateController, 'show'])
      .use(middleware.auth())
    router
      .post(ACCOUNT_PATHS.reauthenticate, [ReauthenticateController, 'store'])
      .use(middleware.auth())
    router.get(ACCOUNT_PATHS.sessions, [UserSessionsController, 'index']).use(middleware.auth())
    router
      .post(ACCOUNT_PATHS.sessions, [UserSessionsController, 'endOthers'])
      .use(middleware.auth())
    router.get(PATHS.grants, [GrantsController, 'index']).use(middleware.auth())
    router.post(PATHS.grants, [GrantsController, 'update']).use(middleware.auth())
    router.get(MFA_PATHS.authenticate, [MfaAuthenticateController, 'show'])
    router.post(MFA_PATHS.authenticate, [MfaAuthenticateController, 'store'])
    router
      .group(() => {
        router.get(MFA_PATHS.index, [MfaOverviewController, 'show'])
        router.get(MFA_PATHS.recoveryCodes, [RecoveryCodesController, 'show'])
        router.get(MFA_PATHS.recoveryCodesDownload, [RecoveryCodesController, 'download'])
        router.get(MFA_PATHS.reauthenticate, [MfaReauthenticateController, 'show'])
        router.post(MFA_PATHS.reauthenticate, [MfaReauthenticateController, 'store'])
      })
      .use(middleware.auth())
    /* reauth pages (docs/mfa.md): a stale session first reauthenticates */
    router
      .group(() => {
        router.get(MFA_PATHS.totpActivate, [TotpController, 'activateForm'])
        router.post(MFA_PATHS.totpActivate, [TotpController, 'activate'])
        router.get(MFA_PATHS.totpDeactivate, [TotpController, 'deactivateForm'])
        router.post(MFA_PATHS.totpDeactivate, [TotpController, 'deactivate'])
        router.get(MFA_PATHS.recoveryCodesGenerate, [RecoveryCodesController, 'generateForm'])
        router.post(MFA_PATHS.recoveryCodesGenerate, [RecoveryCodesController, 'generate'])
      })
      .use(middleware.requireRecentAuthentication())
    router.get(PATHS.logout, [LogoutController, 'show'])
    router.post(PATHS.logout, [LogoutController, 'submit'])
  })
  .use(pageStack)

/*
 * Security keys (docs/mfa.md): 404 unless MFA_SUPPORTED_TYPES offers webauthn
 * (and, for the passkey sign-in, MFA_PASSKEY_LOGIN_ENABLED), read per request
 */
const webauthnOffered = (setting: 'supportedTypes' | 'passkeyLoginEnabled') =>
  async function (ctx: HttpContext, next: NextFn) {
    const offered =
      setting === 'supportedTypes'
        ? mfaConfig.supportedTypes.includes('webauthn')
        : mfaConfig.passkeyLoginEnabled
    return offered ? next() : ctx.response.notFound('')
  }
const recent = middleware.requireRecentAuthentication()
router
  .group(() => {
    router.get(WEBAUTHN_PATHS.list, [SecurityKeysController, 'index']).use(middleware.auth())
    router.get(WEBAUTHN_PATHS.add, [SecurityKeysController, 'create']).use(recent)
    router.post(WEBAUTHN_PATHS.add, [SecurityKeysController, 'store']).use(recent)
    router.get(WEBAUTHN_PATHS.edit, [SecurityKeysController, 'edit']).use(recent)
    router.post(WEBAUTHN_PATHS.edit, [SecurityKeysController, 'update']).use(recent)
    router.get(WEBAUTHN_PATHS.remove, [SecurityKeysController, 'confirmRemove']).use(recent)
    router.post(WEBAUTHN_PATHS.remove, [SecurityKeysController, 'remove']).use(recent)
  })
  .use([webauthnOffered('supportedTypes'), ...pageStack])
router
  .group(() => {
    router.get(WEBAUTHN_PATHS.passkeyLogin, [PasskeyLoginController, 'options'])
    router.post(WEBAUTHN_PATHS.passkeyLogin, [PasskeyLoginController, 'store'])
  })
  .use([webauthnOffered('passkeyLoginEnabled'), ...pageStack])

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

/*
 * The admin console (docs/admin.md): staff only, every other visitor gets the
 * unknown-path 404. A change is a POST to the page that offers it, so that
 * after reauthentication `next` brings the person back to that page.
 */
router
  .group(() => {
    router.get('/', [AdminHomeController, 'show'])
    router.get('/clients/', [AdminClientsController, 'index'])
    /* `new` is the add form's */
    router.get('/clients/:id/', [AdminClientsController, 'show']).where('id', /^(?!new$)/)
    router.get('/users/', [AdminUsersController, 'index'])
    router.get('/users/:id/', [AdminUsersController, 'show'])
    router.get('/keys/', [AdminKeysController, 'index'])
    router.get('/events/', [AdminEventsController, 'index'])
  })
  .prefix('/admin')
  .use(consoleStack)
router
  .group(() => {
    router.get('/clients/new/', [AdminClientsController, 'create'])
    router.post('/clients/new/', [AdminClientsController, 'store'])
    router.post('/clients/:id/', [AdminClientsController, 'revoke'])
    router.get('/clients/:id/edit/', [AdminClientsController, 'edit'])
    router.post('/clients/:id/edit/', [AdminClientsController, 'update'])
    router.get('/clients/:id/secret/', [AdminClientsController, 'confirmRotation'])
    router.post('/clients/:id/secret/', [AdminClientsController, 'rotate'])
    router.get('/clients/:id/delete/', [AdminClientsController, 'confirmDelete'])
    router.post('/clients/:id/delete/', [AdminClientsController, 'destroy'])
    router.post('/users/:id/', [AdminUsersController, 'act'])
    router.get('/users/:id/mfa-reset/', [AdminUsersController, 'confirmMfaReset'])
    router.post('/users/:id/mfa-reset/', [AdminUsersController, 'resetMfa'])
    router.post('/keys/', [AdminKeysController, 'act'])
  })
  .prefix('/admin')
  .use(consoleChangeStack)

export { middleware }
