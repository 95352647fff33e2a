/**
 * tokens:prune (docs/data-model.md#pruning): deletes the rows no check needs any more, each
 * table through its owner, 1,000 rows at a time: the OIDC tables, expired
 * sessions, email confirmations and reset codes, outbox rows given up
 * past their window, and audit events past IDP_OIDC_AUDIT_EVENT_RETENTION.
 */
import { DateTime } from 'luxon'
import keyStore from '#services/oidc/keys/key_store'
import { pruneTokens } from '#services/oidc/tokens/token_store'
import { pruneAuthorizationCodes } from '#services/oidc/authorize/code_store'
import { pruneDeviceCodes } from '#services/oidc/device/device_code_store'
import { pruneSessionClients } from '#services/oidc/logout/session_client_store'
import { pruneConsents } from '#services/oidc/authorize/consent_store'
import { pruneAnsweredConsentRequests } from '#services/oidc/authorize/consent_request'
import { pruneUserSessions } from '#services/accounts/user_sessions'
import { mailOutbox } from '#services/accounts/mail/outbox'
import { backchannelOutbox } from '#services/oidc/logout/backchannel'
import { pruneEvents } from '#services/audit/event_store'
import observabilityConfig from '#config/observability'
import { pruneEmailConfirmations } from '#services/accounts/email_verification/confirmations'
import { pruneResetCodes } from '#services/accounts/password_reset/reset_codes'
import { pruneSignInStages } from '#services/mfa/sign_in_stage'
import { pruneChallenges } from '#services/mfa/webauthn/challenge_store'

export type PruneCounts = {
  tokens: number
  authorization_codes: number
  device_codes: number
  consents: number
  session_clients: number
  signing_keys: number
  answered_consent_requests: number
  user_sessions: number
  given_up_mails: number
  given_up_logout_notices: number
  audit_events: number
  email_confirmations: number
  password_reset_codes: number
  pending_second_factors: number
  webauthn_challenges: number
}

export async function pruneExpired(now = DateTime.utc()): Promise<PruneCounts> {
  const retention = observabilityConfig.auditEventRetention
  return {
    tokens: await pruneTokens(now),
    authorization_codes: await pruneAuthorizationCodes(now),
    device_codes: await pruneDeviceCodes(now),
    consents: await pruneConsents(now),
    session_clients: await pruneSessionClients(now),
    signing_keys: await keyStore.prune(now),
    answered_consent_requests: await pruneAnsweredConsentRequests(now),
    user_sessions: await pruneUserSessions(now),
    given_up_mails: await mailOutbox.pruneGivenUp(now),
    given_up_logout_notices: await backchannelOutbox.pruneGivenUp(now),
    audit_events: retention ? await pruneEvents(now.minus({ seconds: retention })) : 0,
    email_confirmations: await pruneEmailConfirmations(now),
    password_reset_codes: await pruneResetCodes(now),
    pending_second_factors: await pruneSignInStages(now),
    webauthn_challenges: await pruneChallenges(now),
  }
}
