/**
 * mfa_authenticator (allauth.mfa): TOTP secrets, recovery-code seeds and
 * WebAuthn credentials. This app has no second factor yet, so none is
 * imported: each is reported as skipped, with its type, so that the operator
 * sees what stays behind. When MFA exists, this function imports them instead.
 */
import type { ImportContext } from '#services/allauth_import/import_context'
import { skip } from '#services/allauth_import/import_report'

export async function importAuthenticators(context: ImportContext) {
  const report = context.report.tables.mfa_authenticator
  for (const authenticator of context.source.authenticators) {
    skip(report, `a ${authenticator.type} authenticator: this app has no MFA yet`, authenticator.id)
  }
}
