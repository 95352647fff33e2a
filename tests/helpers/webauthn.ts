/**
 * A security key for functional tests: a software authenticator that answers
 * WebAuthn options as a browser with a key would, written here from the
 * WebAuthn Level 2 spec with node:crypto (P-256 keys, ES256 signatures) and a
 * small CBOR encoder, independently of the app's @simplewebauthn/server.
 * Attestation "none". The answers are the JSON a browser's PublicKeyCredential
 * serialises to, as the pages' script posts it.
 *
 * @see https://www.w3.org/TR/webauthn-2/#sctn-attestation (authenticator data, §6.1)
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import mfaConfig, { type MfaConfig } from '#config/mfa'
import { Browser, readForm } from '#tests/helpers/browser'
import { AUTHENTICATE } from '#tests/helpers/mfa'

/* CBOR (RFC 8949) for what attestation objects and COSE keys hold: integers, byte and text strings, maps */
type Cbor = number | string | Buffer | Map<Cbor, Cbor>

function head(major: number, value: number) {
  if (value < 24) return Buffer.from([(major << 5) | value])
  if (value < 256) return Buffer.from([(major << 5) | 24, value])
  if (value < 65536) return Buffer.from([(major << 5) | 25, value >> 8, value & 255])
  const bytes = Buffer.alloc(5)
  bytes[0] = (major << 5) | 26
  bytes.writeUInt32BE(value, 1)
  return bytes
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8')
    return Buffer.concat([head(3, text.length), text])
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value])
  const entries = [...value].flatMap(([key, entry]) => [cbor(key), cbor(entry)])
  return Buffer.concat([head(5, value.size), ...entries])
}

const b64url = (bytes: Buffer) => bytes.toString('base64url')
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest()

/* Authenticator data flags (§6.1) */
const UP = 0x01
const UV = 0x04
const BE = 0x08
const BS = 0x10
const AT = 0x40

type CreationOptions = {
  challenge: string
  rp: { id: string }
  user: { id: string }
  authenticatorSelection?: { residentKey?: string; userVerification?: string }
}
type RequestOptions = { challenge: string; rpId: string; allowCredentials?: { id: string }[] }

export type KeyAnswerOptions = {
  /** The origin the browser reports (clientDataJSON.origin) */
  origin?: string
  /** Another RP id than the options' (a phishing site's key) */
  rpId?: string
  /** Another challenge than the options' */
  challenge?: string
  /** Whether the person was verified (PIN, biometrics) */
  userVerified?: boolean
}

/** One credential on a software key */
export class SoftKey {
  readonly credentialId = randomBytes(16)
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  signCount = 0
  userHandle: string | null = null
  rpId: string | null = null

  /** `synced`: a passkey that may leave the device (BE and BS flags), as a platform's keychain makes */
  constructor(
    readonly origin: string,
    readonly options: { synced?: boolean } = {}
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = pair.privateKey
    this.publicKey = pair.publicKey
  }

  get id() {
    return b64url(this.credentialId)
  }

  #flags(userVerified: boolean, attested: boolean) {
    const backup = this.options.synced ? BE | BS : 0
    return UP | (userVerified ? UV : 0) | backup | (attested ? AT : 0)
  }

  #authenticatorData(rpId: string, flags: number, attested: Buffer | null) {
    const counter = Buffer.alloc(4)
    counter.writeUInt32BE(this.signCount)
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, attested ?? Buffer.alloc(0)])
  }

  #coseKey() {
    const jwk = this.publicKey.export({ format: 'jwk' })
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ])
    )
  }

  #clientData(type: string, challenge: string, origin: string) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  }

  /** navigator.credentials.create() on `creation_options.publicKey`; `passkey` asks for a resident key */
  register(options: CreationOptions, answer: KeyAnswerOptions & { passkey?: boolean } = {}) {
    this.rpId = answer.rpId ?? options.rp.id
    this.userHandle = options.user.id
    const idLength = Buffer.from([this.credentialId.length >> 8, this.credentialId.length & 255])
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.#coseKey()])
    const authData = this.#authenticatorData(
      this.rpId,
      this.#flags(answer.userVerified ?? true, true),
      attested
    )
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ])
    )
    const clientData = this.#clientData(
      'webauthn.create',
      answer.challenge ?? options.challenge,
      answer.origin ?? this.origin
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ['usb'],
      },
      clientExtensionResults:
        answer.passkey === undefined ? {} : { credProps: { rk: answer.passkey } },
    }
  }

  /** navigator.credentials.get() on `request_options.publicKey`; the counter moves on by one */
  assert(options: RequestOptions, answer: KeyAnswerOptions & { signCount?: number } = {}) {
    this.signCount = answer.signCount ?? this.signCount + 1
    const authData = this.#authenticatorData(
      answer.rpId ?? options.rpId,
      this.#flags(answer.userVerified ?? true, false),
      null
    )
    const clientData = this.#clientData(
      'webauthn.get',
      answer.challenge ?? options.challenge,
      answer.origin ?? this.origin
    )
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey)
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
    }
  }
}

/** The JSON a page gives its script (`<script id="js_data">`) */
export function pageScriptData(html: string): any {
  const match = /<script id="js_data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)
  if (!match) throw new Error('the page has no js_data')
  return JSON.parse(match[1])
}

/** MFA settings for one test, restored by its cleanup (read per request) */
export function useMfaSettings(
  cleanup: (handler: () => void) => void,
  overrides: Partial<MfaConfig>
) {
  const saved = Object.fromEntries(
    Object.keys(overrides).map((key) => [key, mfaConfig[key as keyof MfaConfig]])
  )
  Object.assign(mfaConfig, overrides)
  cleanup(() => void Object.assign(mfaConfig, saved))
}

/** Security keys offered, with "Sign in with a passkey" */
export const offerKeys = (cleanup: (handler: () => void) => void) =>
  useMfaSettings(cleanup, {
    supportedTypes: ['totp', 'recovery_codes', 'webauthn'],
    passkeyLoginEnabled: true,
  })

/** The password step, then the key on the second-factor page */
export async function signInWithKey(
  account: { login: string; password: string },
  key: SoftKey,
  answer: KeyAnswerOptions & { signCount?: number } = {}
) {
  const browser = new Browser()
  const first = await browser.signIn(account.login, account.password, '/accounts/grants/')
  if (new URL(first.location!).pathname !== AUTHENTICATE) throw new Error('no second-factor step')
  const page = await browser.get(AUTHENTICATE)
  const request = pageScriptData(page.body).request_options.publicKey
  const done = await browser.submit(readForm(page.body, 'form[id="webauthn_form"]'), {
    credential: JSON.stringify(key.assert(request, answer)),
  })
  return { browser, request, done }
}
