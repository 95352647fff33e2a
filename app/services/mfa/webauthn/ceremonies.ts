/**
 * The two WebAuthn ceremonies (W3C WebAuthn Level 2 §7.1 registration, §7.2
 * authentication), through @simplewebauthn/server: the options a page hands
 * its script, and the check of what the browser answered. Plain values in and
 * out; which challenge, user and keys apply is the caller's business.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { isoBase64URL, isoUint8Array } from '@simplewebauthn/server/helpers'
import { acceptedOrigins, type RelyingParty } from '#services/mfa/webauthn/relying_party'
import {
  readAuthenticationAnswer,
  readRegistrationAnswer,
  type KeyCredential,
} from '#services/mfa/webauthn/stored_credentials'

/* ES256 first (every authenticator has it), then EdDSA and RS256 (Windows Hello) */
const ALGORITHMS = [-7, -8, -257]

/** The person a key is made for; `id` becomes the user handle */
export type KeyOwner = { id: number; name: string; displayName: string }

/**
 * allauth's user handle: the user's primary key as UTF-8 text. Passkeys
 * registered with allauth answer with it, so it is kept.
 */
export const userHandleOf = (userId: number) => isoUint8Array.fromUTF8String(String(userId))

/** The user id a passkey's answer names, or null */
export function userIdOfAnswer(answer: unknown): number | null {
  const handle = readAuthenticationAnswer(answer)?.response.userHandle
  if (!handle) return null
  const text = isoUint8Array.toUTF8String(isoBase64URL.toBuffer(handle))
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null
}

/**
 * Options for navigator.credentials.create(): a plain security key unless
 * the page's script asks for a passkey (allauth's "Passwordless" box, which
 * makes the key resident and the user verified).
 */
export function creationOptions(
  rp: RelyingParty,
  owner: KeyOwner,
  existing: KeyCredential[],
  challenge: string
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandleOf(owner.id),
    userName: owner.name,
    userDisplayName: owner.displayName,
    challenge: isoBase64URL.toBuffer(challenge),
    attestationType: 'none',
    excludeCredentials: existing.map(({ id, transports }) => ({ id, transports })),
    authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' },
    extensions: { credProps: true },
    supportedAlgorithmIDs: ALGORITHMS,
  })
}

/** A checked registration: what to store, or null ("Incorrect code.") */
export async function verifyRegistration(
  rp: RelyingParty,
  answer: unknown,
  challenge: string
): Promise<{ credential: RegistrationResponseJSON; signCount: number } | null> {
  const credential = readRegistrationAnswer(answer)
  if (!credential) return null
  try {
    const result = await verifyRegistrationResponse({
      response: credential,
      expectedChallenge: challenge,
      expectedOrigin: acceptedOrigins(rp, credential.response.clientDataJSON),
      expectedRPID: rp.id,
      /* a key offered as a passkey must have verified the person: it will stand in for the password */
      requireUserVerification: credential.clientExtensionResults.credProps?.rk === true,
      supportedAlgorithmIDs: ALGORITHMS,
    })
    if (!result.verified) return null
    return { credential, signCount: result.registrationInfo.credential.counter }
  } catch {
    /* the verifier throws for every malformed or mismatching answer */
    return null
  }
}

/**
 * Options for navigator.credentials.get(): the user's keys for a second
 * factor; none for a passkey sign-in, where the browser offers its resident
 * keys and the person must be verified (the key replaces the password).
 */
export function requestOptions(
  rp: RelyingParty,
  keys: KeyCredential[] | 'passkeys',
  challenge: string
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: isoBase64URL.toBuffer(challenge),
    allowCredentials:
      keys === 'passkeys' ? [] : keys.map(({ id, transports }) => ({ id, transports })),
    userVerification: keys === 'passkeys' ? 'required' : 'preferred',
  })
}

export type CheckedAssertion<K> = {
  key: K
  /** The signature counter to store */
  newCounter: number
  /** RFC 8176: `swk` for a key that may be synced off the device (WebAuthn's BE flag), else `hwk` */
  method: 'hwk' | 'swk'
}

/**
 * A checked assertion by one of `keys` (signature, challenge, origin, RP id,
 * a counter that moved on), or null ("Incorrect code.").
 */
export async function verifyAssertion<K extends { credential: KeyCredential }>(
  rp: RelyingParty,
  answer: unknown,
  challenge: string,
  keys: K[],
  { requireUserVerification }: { requireUserVerification: boolean }
): Promise<CheckedAssertion<K> | null> {
  const response = readAuthenticationAnswer(answer)
  if (!response) return null
  const key = keys.find((candidate) => candidate.credential.id === response.rawId)
  if (!key) return null
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: acceptedOrigins(rp, response.response.clientDataJSON),
      expectedRPID: rp.id,
      credential: key.credential,
      requireUserVerification,
    })
    if (!result.verified) return null
    const { newCounter, credentialDeviceType } = result.authenticationInfo
    return { key, newCounter, method: credentialDeviceType === 'multiDevice' ? 'swk' : 'hwk' }
  } catch {
    /* bad signature, another challenge or origin, a counter that went back */
    return null
  }
}
