/**
 * WebAuthn challenges, good for one ceremony (allauth keeps its fido2 state
 * in the session; a cookie session could be replayed, so ours are rows). The
 * browser's session holds the challenge, the webauthn_challenges row says it
 * is unused, for which ceremony and user; taking a challenge deletes its row,
 * so that exactly one request can use it, whichever process answers.
 */
import { DateTime } from 'luxon'
import type { Session } from '@adonisjs/session'
import { generateChallenge } from '@simplewebauthn/server/helpers'
import { isoBase64URL } from '@simplewebauthn/server/helpers'
import { sqlTime } from '#models/columns'
import { sha256Hex } from '#services/oidc/protocol/random'
import { changeRows, deleteInBatches, insertRows } from '#database/statements'

/** register: adding a key; authenticate: a second factor or reauthentication; passkey_login: no user yet */
export type Ceremony = 'register' | 'authenticate' | 'passkey_login'

/** How long a ceremony may take, from the page to the answer */
export const CHALLENGE_LIFETIME_SECONDS = 300

const sessionKey = (ceremony: Ceremony) => `webauthn_challenge_${ceremony}`

/** A fresh challenge (base64url) for this session's next `ceremony`; replaces an earlier one */
export async function beginCeremony(
  session: Session,
  ceremony: Ceremony,
  userId: number | null
): Promise<string> {
  await dropCeremony(session, ceremony)
  const challenge = isoBase64URL.fromBuffer(await generateChallenge())
  const now = DateTime.utc()
  await insertRows('webauthn_challenges', [
    {
      digest: sha256Hex(challenge),
      ceremony,
      user_id: userId,
      expires_at: sqlTime(now.plus({ seconds: CHALLENGE_LIFETIME_SECONDS })),
    },
  ])
  session.put(sessionKey(ceremony), challenge)
  return challenge
}

/**
 * The session's challenge for `ceremony`, used up: null when there is none,
 * it expired, it was issued for another user, or another request took it.
 */
export async function takeChallenge(
  session: Session,
  ceremony: Ceremony,
  userId: number | null
): Promise<string | null> {
  const challenge = session.get(sessionKey(ceremony))
  session.forget(sessionKey(ceremony))
  if (typeof challenge !== 'string') return null
  const taken = await changeRows(
    `delete from webauthn_challenges where digest = ? and ceremony = ? and ${
      userId === null ? 'user_id is null' : 'user_id = ?'
    } and expires_at > ?`,
    [sha256Hex(challenge), ceremony, ...(userId === null ? [] : [userId]), sqlTime()]
  )
  return taken === 1 ? challenge : null
}

async function dropCeremony(session: Session, ceremony: Ceremony) {
  const challenge = session.get(sessionKey(ceremony))
  if (typeof challenge === 'string')
    await changeRows('delete from webauthn_challenges where digest = ?', [sha256Hex(challenge)])
}

/** tokens:prune: challenges whose ceremony never came back */
export function pruneChallenges(now: DateTime) {
  return deleteInBatches('webauthn_challenges', (query) =>
    query.where('expires_at', '<=', sqlTime(now))
  )
}
