/**
 * The person's authenticator app in tests: TOTP codes computed here from
 * RFC 6238 and RFC 4226 with node:crypto, independently of the app's
 * otpauth, and users given a second factor through the app's store.
 */
import { createHmac } from 'node:crypto'
import { activateTotp, generateTotpSecret, totpStep } from '#services/mfa/totp'
import { ensureRecoveryCodes, unusedRecoveryCodes } from '#services/mfa/recovery_codes'
import { readForm, type Browser, type Page } from '#tests/helpers/browser'

export const AUTHENTICATE = '/accounts/2fa/authenticate/'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function base32Decode(text: string): Buffer {
  let bits = ''
  for (const char of text.replace(/=+$/, '').toUpperCase())
    bits += BASE32.indexOf(char).toString(2).padStart(5, '0')
  const bytes = bits.match(/.{8}/g) ?? []
  return Buffer.from(bytes.map((byte) => Number.parseInt(byte, 2)))
}

/** RFC 4226 §5.3: HOTP of a counter, with the hash and digits RFC 6238 allows */
export function hotp(key: Buffer, counter: number, digits = 6, hash = 'sha1'): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac(hash, key).update(message).digest()
  const offset = digest[digest.length - 1] & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** The 6-digit code of a base32 secret `steps` 30-second steps away from now */
export function totpCode(secret: string, steps = 0, now = Date.now()): string {
  return hotp(base32Decode(secret), Math.floor(now / 1000 / 30) + steps)
}

/**
 * Waits, when the current 30-second step is about to end, for the next one,
 * so that a code computed now is judged by the server in the same step.
 */
export async function awayFromStepEdge() {
  const left = 30_000 - (Date.now() % 30_000)
  if (left < 2000) await new Promise((resolve) => setTimeout(resolve, left + 50))
}

/**
 * Gives the user TOTP (and recovery codes) as activation would, activated
 * ten steps ago, so that every code around the current step is fresh.
 */
export async function giveTotp(userId: number) {
  const secret = generateTotpSecret()
  await activateTotp(userId, secret, totpStep() - 10)
  const recovery = await ensureRecoveryCodes(userId)
  return { secret, recoveryCodes: recovery ? unusedRecoveryCodes(recovery) : [] }
}

/** Signs in with the password, then the code; the page after the code */
export async function signInWithCode(
  browser: Browser,
  login: string,
  password: string,
  code: string,
  next = '/'
) {
  const first = await browser.signIn(login, password, next)
  if (new URL(first.location ?? 'http://x/').pathname !== AUTHENTICATE)
    throw new Error(`the password step went to ${first.location} (${first.status})`)
  return submitCode(browser, code)
}

/** Posts `code` on the second-factor page */
export async function submitCode(browser: Browser, code: string): Promise<Page> {
  const page = await browser.get(AUTHENTICATE)
  if (page.status !== 200) throw new Error(`authenticate page: ${page.status}`)
  return browser.submit(readForm(page.body, 'form[id="code_form"]'), { code })
}
