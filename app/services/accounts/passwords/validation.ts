/**
 * What a new password must pass, as Django's validators judge it (the ones
 * allauth runs at sign-up, reset and change): long enough
 * (ACCOUNT_PASSWORD_MIN_LENGTH), not too similar to the account's username,
 * names or email address, not one of the 20,000 most common passwords, and
 * not digits only. Returns every problem, in Django's words.
 */
import accountsConfig from '#config/accounts'
import { message, type Message } from '#services/i18n/message'

export type PasswordOwner = {
  username?: string | null
  email?: string | null
  firstName?: string | null
  lastName?: string | null
}

/** Django's UserAttributeSimilarityValidator: attributes and their verbose names */
const ATTRIBUTES = [
  ['username', 'forms.password_similar.username'],
  ['firstName', 'forms.password_similar.first_name'],
  ['lastName', 'forms.password_similar.last_name'],
  ['email', 'forms.password_similar.email'],
] as const
const MAX_SIMILARITY = 0.7

/** As many as Django's CommonPasswordValidator refuses */
const COMMON_PASSWORD_COUNT = 20_000

/**
 * The most common passwords, lower-cased: the first 20,000 of zxcvbn's
 * frequency-ordered list from leaked-password corpora (the
 * @zxcvbn-ts/language-common package), read on first use.
 */
let commonPasswords: Promise<Set<string>> | null = null
function loadCommonPasswords() {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => {
    const common = new Set<string>()
    for (const entry of dictionary['passwords-common'] as string[]) {
      const password = entry.trim().toLowerCase()
      if (password) common.add(password)
      if (common.size === COMMON_PASSWORD_COUNT) break
    }
    return common
  })
  return commonPasswords
}

/** difflib's SequenceMatcher.quick_ratio: shared characters, counted with repeats, over both lengths */
function quickRatio(a: string, b: string) {
  const counts = new Map<string, number>()
  for (const char of b) counts.set(char, (counts.get(char) ?? 0) + 1)
  let matches = 0
  for (const char of a) {
    const left = counts.get(char) ?? 0
    if (left > 0) {
      matches++
      counts.set(char, left - 1)
    }
  }
  const total = a.length + b.length
  return total ? (2 * matches) / total : 1
}

/** A long password beside a short value is not "similar" to it (Django's length-ratio guard) */
function farLonger(password: string, value: string) {
  return (
    password.length >= 10 * value.length && value.length < (MAX_SIMILARITY / 2) * password.length
  )
}

function similarAttribute(password: string, owner: PasswordOwner): string | null {
  const lowered = password.toLowerCase()
  for (const [attribute, label] of ATTRIBUTES) {
    const value = owner[attribute]
    if (!value) continue
    const whole = value.toLowerCase()
    for (const part of [...whole.split(/[^\p{L}\p{N}_]+/u), whole]) {
      if (!part || farLonger(lowered, part)) continue
      if (quickRatio(lowered, part) >= MAX_SIMILARITY) return label
    }
  }
  return null
}

/** Django's MinimumLengthValidator alone: the one rule every password set anywhere passes */
export function passwordLengthProblem(password: string): Message | null {
  const minimum = accountsConfig.passwordMinLength
  return [...password].length < minimum
    ? message('forms.password_too_short', { min: minimum })
    : null
}

export async function passwordProblems(password: string, owner: PasswordOwner): Promise<Message[]> {
  const problems: Message[] = []
  const tooShort = passwordLengthProblem(password)
  if (tooShort) problems.push(tooShort)
  const similar = similarAttribute(password, owner)
  if (similar) problems.push(message(similar))
  const common = await loadCommonPasswords()
  if (common.has(password.trim().toLowerCase())) problems.push(message('forms.password_common'))
  if (/^\d+$/.test(password)) problems.push(message('forms.password_numeric'))
  return problems
}
