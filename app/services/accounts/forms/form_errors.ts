/**
 * Page forms are read with VineJS and answer in Django's words: a form that
 * fails shows again with each message beside its field (FormErrors), or above
 * the form under `form` for problems of the whole form. Messages are
 * translation keys (resources/lang/<locale>/forms.json), written out by the view.
 */
import vine, { errors, SimpleMessagesProvider, type VineValidator } from '@vinejs/vine'
import type { Infer, SchemaTypes } from '@vinejs/vine/types'
import { message, type Message } from '#services/i18n/message'

export type FormErrors = Record<string, Message[]>

/** The keys of Django's and allauth's messages for the rules the account forms use */
const MESSAGES = new SimpleMessagesProvider({
  'required': 'forms.required',
  'string': 'forms.required',
  'email': 'forms.email',
  'maxLength': 'forms.max_length',
  'regex': 'forms.regex',
  'sameAs': 'forms.same_as',
  'username.regex': 'forms.username_regex',
})

type VineError = { field: string; message: string; meta?: Record<string, unknown> }

/** The rule's options a message can insert (`max`), without the ones it cannot (a RegExp) */
const insertable = (meta: VineError['meta']) =>
  meta &&
  Object.fromEntries(
    Object.entries(meta).filter(
      (entry): entry is [string, string | number] =>
        typeof entry[1] === 'string' || typeof entry[1] === 'number'
    )
  )

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
    for (const reported of error.messages as VineError[])
      found[reported.field] ??= [message(reported.message, insertable(reported.meta))]
    return { values: null, errors: found }
  }
}

export function addError(found: FormErrors, field: string, problem: Message) {
  ;(found[field] ??= []).push(problem)
  return found
}

/** An email address as every account form takes it: trimmed, lower-cased, at most 254 characters */
export const emailRule = () => vine.string().trim().email().maxLength(254).toLowerCase()
