/**
 * The `credential` field of /accounts/2fa/authenticate/: an assertion by one
 * of the user's security keys, to the challenge the page was given
 * (`request_options`). It proves possession of a key: `hwk`, or `swk` for a
 * synced passkey (ceremonies.ts).
 */
import type { SecondFactorMethod } from '#services/mfa/authentication_methods'
import { beginCeremony, takeChallenge } from '#services/mfa/webauthn/challenge_store'
import { requestOptions } from '#services/mfa/webauthn/ceremonies'
import { relyingParty } from '#services/mfa/webauthn/relying_party'
import { keyCredentials, useSecurityKey } from '#services/mfa/webauthn/security_keys'
import { parseJsonField } from '#services/mfa/webauthn/json_field'

export const keyFactor: SecondFactorMethod = {
  field: 'credential',
  types: ['webauthn'],
  async verify(userId, answer, session) {
    const challenge = await takeChallenge(session, 'authenticate', userId)
    if (!challenge) return null
    const use = await useSecurityKey(relyingParty(), userId, parseJsonField(answer), challenge, {
      passkey: false,
    })
    return use && { methods: [use.method] }
  },
  async pageData(userId, session) {
    const options = await requestOptions(
      relyingParty(),
      await keyCredentials(userId),
      await beginCeremony(session, 'authenticate', userId)
    )
    return { request_options: { publicKey: options } }
  },
}
