/**
 * The second step of a sign-in (allauth's "mfa_authenticate" login stage).
 * Once the password matched, a user with a second factor is not signed in:
 * the sign-in waits in mfa_sign_in_stages, the browser's session holding
 * only a random id of it, until /accounts/2fa/authenticate/ gets a factor.
 * The row is claimed once when the sign-in completes, so a copied session
 * cookie cannot complete it again, and it dies after the login timeout.
 *
 * The same stage serves a signed-in session that must give its second
 * factor again (purpose `step_up`: a relying party asked for MFA, or
 * max_age/prompt=login sent a two-factor user back through the password).
 */
import { DateTime } from 'luxon'
import type { Session } from '@adonisjs/session'
import mfaConfig from '#config/mfa'
import { sqlTime } from '#models/columns'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { changeRows, deleteInBatches, insertRows, selectRow } from '#database/statements'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'

const SESSION_KEY = 'mfa_sign_in_stage'

export type StagePurpose = 'login' | 'step_up'

export type PendingSignIn = {
  id: number
  userId: number
  /** Where the sign-in goes once complete (a same-site path) */
  next: string
  /** The methods already used: `pwd` after the password */
  methods: AuthenticationMethod[]
  purpose: StagePurpose
}

/** Holds a sign-in back until its second factor; replaces any earlier one of this browser */
export async function beginSignInStage(
  session: Session,
  stage: Omit<PendingSignIn, 'id'>
): Promise<void> {
  await dropSignInStage(session)
  const id = randomValue(24)
  const now = DateTime.utc()
  await insertRows('mfa_sign_in_stages', [
    {
      digest: sha256Hex(id),
      user_id: stage.userId,
      next: stage.next,
      methods: stage.methods.join(' '),
      purpose: stage.purpose,
      created_at: sqlTime(now),
      expires_at: sqlTime(now.plus({ seconds: mfaConfig.signInStageTimeout })),
    },
  ])
  session.put(SESSION_KEY, id)
}

/** The sign-in this browser has waiting for a second factor, if it is still live */
export async function pendingSignIn(session: Session): Promise<PendingSignIn | null> {
  const id = session.get(SESSION_KEY)
  if (typeof id !== 'string') return null
  const row = await selectRow<{
    id: number
    user_id: number
    next: string
    methods: string
    purpose: string
  }>(
    'select id, user_id, next, methods, purpose from mfa_sign_in_stages where digest = ? and expires_at > ?',
    [sha256Hex(id), sqlTime()]
  )
  if (!row) return null
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    next: row.next,
    methods: row.methods.split(' ').filter(Boolean) as AuthenticationMethod[],
    purpose: row.purpose === 'step_up' ? 'step_up' : 'login',
  }
}

/**
 * Claims the waiting sign-in for completion: true for exactly one request,
 * even when the same cookie is presented by several at once.
 */
export async function claimSignInStage(session: Session, pending: PendingSignIn) {
  session.forget(SESSION_KEY)
  return (await changeRows('delete from mfa_sign_in_stages where id = ?', [pending.id])) === 1
}

/** Abandons this browser's waiting sign-in (sign-out, a new sign-in) */
export async function dropSignInStage(session: Session) {
  const id = session.get(SESSION_KEY)
  session.forget(SESSION_KEY)
  if (typeof id === 'string')
    await changeRows('delete from mfa_sign_in_stages where digest = ?', [sha256Hex(id)])
}

/** tokens:prune: sign-ins abandoned at their second step */
export function pruneSignInStages(now: DateTime) {
  return deleteInBatches('mfa_sign_in_stages', (query) =>
    query.where('expires_at', '<=', sqlTime(now))
  )
}
