/**
 * A security key as mfa_authenticators keeps it, in allauth's shape, so that
 * rows move between allauth and this app as they are: `data` is
 * `{"name", "credential"}` where `credential` is the registration answer the
 * browser posted (PublicKeyCredential's JSON: base64url `rawId`,
 * `response.attestationObject`, `response.clientDataJSON`, `transports`,
 * `clientExtensionResults.credProps.rk`). The public key and credential id
 * are read from its attestation object each time, as allauth does.
 * Ours adds `sign_count`, the authenticator's signature counter as last seen
 * (allauth keeps none; an imported key starts from its registration's).
 */
import type {
  AuthenticationResponseJSON,
  RegistrationResponseJSON,
  WebAuthnCredential,
} from '@simplewebauthn/server'
import {
  decodeAttestationObject,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers'

export type StoredKey = {
  name: string
  credential: RegistrationResponseJSON
  sign_count?: number
}

/** What a ceremony needs of a stored key */
export type KeyCredential = WebAuthnCredential & {
  /** credProps.rk at registration: a passkey (true), a plain security key (false), or not said */
  passwordless: boolean | null
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isBase64url = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && /^[A-Za-z0-9_-]+={0,2}$/.test(value)
const strings = (value: unknown) =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string')
    ? (value as string[])
    : undefined

/**
 * The members of a posted registration answer that are kept, or null when
 * it is not one. Anything else the browser sent is left out.
 */
export function readRegistrationAnswer(value: unknown): RegistrationResponseJSON | null {
  if (!isObject(value) || !isObject(value.response) || value.type !== 'public-key') return null
  const { id, rawId, response } = value
  if (!isBase64url(id) || !isBase64url(rawId)) return null
  if (!isBase64url(response.clientDataJSON) || !isBase64url(response.attestationObject)) return null
  const rk =
    isObject(value.clientExtensionResults) && isObject(value.clientExtensionResults.credProps)
      ? value.clientExtensionResults.credProps.rk
      : undefined
  return {
    type: 'public-key',
    id,
    rawId,
    ...(typeof value.authenticatorAttachment === 'string'
      ? { authenticatorAttachment: value.authenticatorAttachment as 'platform' | 'cross-platform' }
      : {}),
    response: {
      clientDataJSON: response.clientDataJSON,
      attestationObject: response.attestationObject,
      transports: (strings(response.transports) ??
        []) as RegistrationResponseJSON['response']['transports'],
    },
    clientExtensionResults: typeof rk === 'boolean' ? { credProps: { rk } } : {},
  }
}

/** A posted authentication answer in the shape the verifier reads, or null */
export function readAuthenticationAnswer(value: unknown): AuthenticationResponseJSON | null {
  if (!isObject(value) || !isObject(value.response) || value.type !== 'public-key') return null
  const { id, rawId, response } = value
  if (!isBase64url(id) || !isBase64url(rawId)) return null
  for (const member of ['clientDataJSON', 'authenticatorData', 'signature'])
    if (!isBase64url(response[member])) return null
  if (
    response.userHandle !== undefined &&
    response.userHandle !== null &&
    !isBase64url(response.userHandle)
  )
    return null
  return {
    type: 'public-key',
    id,
    rawId,
    response: {
      clientDataJSON: response.clientDataJSON as string,
      authenticatorData: response.authenticatorData as string,
      signature: response.signature as string,
      ...(typeof response.userHandle === 'string' ? { userHandle: response.userHandle } : {}),
    },
    clientExtensionResults: {},
  }
}

/** The stored key's name and registration answer, or null for data of another shape */
export function readStoredKey(data: Json): StoredKey | null {
  const credential = readRegistrationAnswer(data.credential)
  if (!credential) return null
  return {
    name: typeof data.name === 'string' ? data.name : '',
    credential,
    ...(Number.isSafeInteger(data.sign_count) ? { sign_count: data.sign_count as number } : {}),
  }
}

/** The credential a stored key holds, read from its attestation object; null when unreadable */
export function keyCredential(key: StoredKey): KeyCredential | null {
  try {
    const attestation = decodeAttestationObject(
      isoBase64URL.toBuffer(key.credential.response.attestationObject)
    )
    const authData = parseAuthenticatorData(attestation.get('authData'))
    if (!authData.credentialID || !authData.credentialPublicKey) return null
    const rk = key.credential.clientExtensionResults.credProps?.rk
    return {
      id: isoBase64URL.fromBuffer(authData.credentialID),
      publicKey: authData.credentialPublicKey,
      counter: key.sign_count ?? authData.counter,
      transports: key.credential.response.transports,
      passwordless: typeof rk === 'boolean' ? rk : null,
    }
  } catch {
    return null
  }
}
