/**
 * Page forms are read with VineJS and answer in Django's words: a form that
 * fails shows again with each message beside its field (FormErrors), or above
 * the form under `form` for problems of the whole form.
 */
import vine, { errors, SimpleMessagesProvider, type VineValidator } from '@vinejs/vine'
import type { Infer, SchemaTypes } from '@vinejs/vine/types'

export type FormErrors = Record<string, string[]>

/** Django's and allauth's messages for the rules the account forms use */
const MESSAGES = new SimpleMessagesProvider({
  'required': 'This field is required.',
  'string': 'This field is required.',
  'email': 'Enter a valid email address.',
  'maxLength': 'Ensure this value has at most {{ max }} characters.',
  'regex': 'Enter a valid value.',
  'sameAs': 'You must type the same password each time.',
  'username.regex':
    'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
})

/** A form field sent once; anything else (absent, repeated) counts as empty */
export const formField = (value: unknown) => (typeof value === 'string' ? value : '')

export type FormResult<T> = { values: T; errors: null } | { values: null; errors: FormErrors }

/** Validates a form body; each failed field gets its first message */
export async function readForm<Schema extends SchemaTypes>(
  validator: VineValidator<Schema, undefined>,
  body: Record<string, unknown>
): Promise<FormResult<Infer<Schema>>> {
  /* an empty field is a missing one, as in Django's forms */
  const given = Object.fromEntries(
    Object.entries(body).map(([name, value]) => [name, value === '' ? undefined : value])
  )
  try {
    const values = await validator.validate(given, { messagesProvider: MESSAGES, meta: undefined })
    return { values, errors: null }
  } catch (error) {
    if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
    const found: FormErrors = {}
    for (const { field, message } of error.messages as { field: string; message: string }[])
      found[field] ??= [message]
    return { values: null, errors: found }
  }
}

export function addError(found: FormErrors, field: string, message: string) {
  ;(found[field] ??= []).push(message)
  return found
}

/** An email address as every account form takes it: trimmed, lower-cased, at most 254 characters */
export const emailRule = () => vine.string().trim().email().maxLength(254).toLowerCase()
