import { readFile, readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { test } from '@japa/runner'
import { SUPPORTED_LOCALES } from '#config/i18n'

const ROOT = new URL('../../', import.meta.url).pathname
const LANG = join(ROOT, 'resources/lang')

async function filesUnder(directory: string, extension: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name))
}

function flatten(value: unknown, prefix: string, into: Map<string, string>) {
  if (typeof value === 'string') into.set(prefix, value)
  else
    for (const [key, inner] of Object.entries(value as object))
      flatten(inner, `${prefix}.${key}`, into)
}

/** Every message of a locale by its key, as the fs loader names them (path of the file, then JSON keys) */
async function messagesOf(locale: string) {
  const messages = new Map<string, string>()
  for (const file of await filesUnder(join(LANG, locale), '.json')) {
    const prefix = relative(join(LANG, locale), file)
      .replace(/\.json$/, '')
      .split(sep)
      .join('.')
    flatten(JSON.parse(await readFile(file, 'utf8')), prefix, messages)
  }
  return messages
}

/** The ICU arguments a message interpolates ({name}, {count, plural, …}) */
const argumentsOf = (message: string) =>
  [...message.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((match) => match[1]).sort()

/** Keys written literally in the views (`t('…')`) and in the code (`'accounts.login.…'`) */
async function keysUsed(namespaces: string[]) {
  const used = new Map<string, string>()
  for (const file of await filesUnder(join(ROOT, 'resources/views'), '.edge'))
    for (const match of (await readFile(file, 'utf8')).matchAll(/\bt\(\s*'([^']+)'/g))
      used.set(match[1], relative(ROOT, file))
  const literal = new RegExp(`'((?:${namespaces.join('|')})\\.[a-z0-9_.]+)'`, 'g')
  for (const file of await filesUnder(join(ROOT, 'app'), '.ts'))
    for (const match of (await readFile(file, 'utf8')).matchAll(literal))
      used.set(match[1], relative(ROOT, file))
  return used
}

test.group('Translations', () => {
  test('every locale has exactly the English keys, none empty, with the same arguments', async ({
    assert,
  }) => {
    const english = await messagesOf('en')
    assert.isAbove(english.size, 0)
    for (const locale of SUPPORTED_LOCALES.filter((l) => l !== 'en')) {
      const messages = await messagesOf(locale)
      assert.deepEqual([...messages.keys()].sort(), [...english.keys()].sort(), locale)
      for (const [key, message] of messages) {
        assert.isAbove(message.trim().length, 0, `${locale} ${key}`)
        assert.deepEqual(argumentsOf(message), argumentsOf(english.get(key)!), `${locale} ${key}`)
      }
    }
  })

  test('every key a view or the code names exists in every locale', async ({ assert }) => {
    const namespaces = [
      ...new Set([...(await messagesOf('en')).keys()].map((k) => k.split('.')[0])),
    ]
    const used = await keysUsed(namespaces)
    assert.isAbove(used.size, 0)
    for (const locale of SUPPORTED_LOCALES) {
      const messages = await messagesOf(locale)
      const missing = [...used].filter(([key]) => !messages.has(key))
      assert.deepEqual(missing, [], `${locale}: keys used but not translated`)
    }
  })

  test('a mail subject exists for every mail template', async ({ assert }) => {
    const english = await messagesOf('en')
    const mails = (await filesUnder(join(ROOT, 'resources/views/emails'), '_text.edge')).map(
      (file) =>
        file
          .split(sep)
          .pop()!
          .replace(/_text\.edge$/, '')
    )
    assert.isAbove(mails.length, 0)
    for (const mail of mails) assert.isTrue(english.has(`emails.${mail}.subject`), mail)
  })
})
