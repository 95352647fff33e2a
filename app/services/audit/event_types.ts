/**
 * Every audit event type, once (docs/observability.md has the table). A new
 * kind of event is added here first; `recordEvent` takes only these.
 */
export const AUDIT_EVENT_TYPES = [
  /* sign-in pages */
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_out',
  /* consent */
  'consent.given',
  'consent.revoked',
  /* tokens and clients */
  'tokens.issued',
  'refresh_token.reused',
  'authorization_code.replayed',
  'client_auth.failed',
  'rate_limit.tripped',
  /* admin commands (node ace …) */
  'admin.client_created',
  'admin.client_updated',
  'admin.client_deleted',
  'admin.client_secret_rotated',
  'admin.user_created',
  'admin.user_updated',
  'admin.user_email_added',
  'admin.user_signed_out',
  'admin.user_mfa_reset',
  'admin.user_deleted',
  'admin.keys_generated',
  'admin.key_retired',
  'admin.allauth_imported',
  'admin.tokens_pruned',
  /* admin console only (the changes it shares with the commands use their types) */
  'admin.tokens_revoked',
] as const

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number]

export function isAuditEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value)
}
