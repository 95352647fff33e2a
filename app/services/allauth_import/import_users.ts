/**
 * auth_user → users, each keeping its primary key so that `sub` (the id as a
 * decimal string, allauth's default) stays the same for every relying party.
 * A Django hash we verify is kept and rewritten at the first sign-in; an
 * unusable one (`!…`) or a format we cannot verify becomes "no password".
 *
 * A user id that already exists here and was not imported is taken over only
 * when it is the same person (same username, or an email address in common:
 * a user brought over before with `user:create --id`); it keeps the password
 * it has here. Any other user with that id is left alone and the source user
 * is skipped. Usernames are unique here without regard to case, as logins
 * match them.
 */
import { sqlTime } from '#models/columns'
import type { ImportContext } from '#services/allauth_import/import_context'
import { note, skip } from '#services/allauth_import/import_report'
import { changedFields, digestFields, Ledger } from '#services/allauth_import/ledger'
import type { SourceUser } from '#services/allauth_import/source_rows'
import {
  columnsHere,
  columnsOf,
  storedPassword,
  type UserColumns,
} from '#services/allauth_import/user_columns'
import { WritePlan } from '#services/allauth_import/write_plan'
import { followInsertedIds } from '#database/id_sequences'

type Row = Record<string, unknown>

const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : null)

/** Why our rules refuse a source user, or null */
function refusal(user: SourceUser, firstWithUsername: Map<string, number>) {
  if (user.username && !/^\S{1,150}$/.test(user.username))
    return 'the username is not 1 to 150 characters without spaces'
  if (user.firstName.length > 150 || user.lastName.length > 150)
    return 'a name is longer than 150 characters'
  const first = firstWithUsername.get(lower(user.username) ?? '')
  if (first !== undefined && first !== user.id)
    return `the username differs only in case from user ${first}'s`
  return null
}

/** The users here, their usernames (lower-cased) and addresses */
async function usersHere(client: ImportContext['client']) {
  const rows = new Map<number, Row>()
  const usernames = new Map<string, number>()
  for (const row of await client.from('users').select('*')) {
    rows.set(Number(row.id), row)
    if (row.username) usernames.set(row.username.toLowerCase(), Number(row.id))
  }
  const addresses = new Map<number, Set<string>>()
  for (const row of await client.from('email_addresses').select('user_id', 'email')) {
    const userId = Number(row.user_id)
    if (!addresses.has(userId)) addresses.set(userId, new Set())
    addresses.get(userId)!.add(row.email)
  }
  return { rows, usernames, addresses }
}

/** The source users' addresses (auth_user.email and address rows), and who comes first with each username */
function sourceIndex(source: ImportContext['source']) {
  const addresses = new Map<number, Set<string>>()
  const rows = [
    ...source.users.map((user) => ({ userId: user.id, email: user.email })),
    ...source.emailAddresses,
  ]
  for (const { userId, email } of rows) {
    if (!addresses.has(userId)) addresses.set(userId, new Set())
    if (email) addresses.get(userId)!.add(email.trim().toLowerCase())
  }
  const firstWithUsername = new Map<string, number>()
  for (const user of source.users) {
    const key = lower(user.username)
    if (key && !firstWithUsername.has(key)) firstWithUsername.set(key, user.id)
  }
  return { ids: new Set(source.users.map((user) => user.id)), addresses, firstWithUsername }
}

export async function importUsers(context: ImportContext) {
  const { client, plan, source, importedUsers } = context
  const report = context.report.tables.auth_user
  const ledger = await Ledger.load(client, context.sourceId, 'auth_user')
  const here = await usersHere(client)
  const { ids: sourceIds, addresses: sourceAddresses, firstWithUsername } = sourceIndex(source)

  /** Another user here holds the name (one that is not itself a source user, renamed below if it must be) */
  const usernameTaken = (user: SourceUser) => {
    const holder = here.usernames.get(lower(user.username) ?? '')
    return holder !== undefined && holder !== user.id && !sourceIds.has(holder) ? holder : null
  }
  const samePerson = (user: SourceUser, row: Row) => {
    if (user.username && lower(user.username) === lower(row.username as string | null)) return true
    const mine = here.addresses.get(user.id) ?? new Set()
    return [...(sourceAddresses.get(user.id) ?? [])].some((email) => mine.has(email))
  }

  const renames = new WritePlan()
  const writes = new WritePlan()
  const entries = new WritePlan()
  for (const user of source.users) {
    const problem = refusal(user, firstWithUsername)
    if (problem) {
      skip(report, problem, user.id)
      continue
    }
    const existing = here.rows.get(user.id)
    const entry = ledger.get(String(user.id))
    if (existing && !entry && !samePerson(user, existing)) {
      skip(report, 'the id belongs to another user here, who was not imported', user.id)
      continue
    }
    const holder = usernameTaken(user)
    if (holder !== null) {
      skip(report, `the username is taken here by user ${holder}, who was not imported`, user.id)
      continue
    }
    const wanted = columnsOf(user, storedPassword(user, report))
    const digests = digestFields({ ...wanted, password: user.password })
    importedUsers.add(user.id)
    ledger.record(entries, String(user.id), String(user.id), digests)

    if (!existing) {
      writes.insert('users', { id: user.id, ...wanted, profile: null, updated_at: sqlTime() })
      report.created++
      continue
    }
    const current = columnsHere(existing)
    const fields = (
      entry
        ? changedFields(entry, digests)
        : /* taken over: the source's values, but the password stays the one set here */
          Object.keys(wanted).filter((field) => field !== 'password')
    ).filter((field) => {
      const column = field as keyof UserColumns
      if (wanted[column] === current[column]) return false
      /* a sign-in here since then is the later one */
      if (column === 'last_login_at')
        return (wanted.last_login_at ?? '') > (current.last_login_at ?? '')
      return true
    }) as (keyof UserColumns)[]
    if (!fields.length) {
      report.unchanged++
      continue
    }
    if (fields.includes('username'))
      renames.run((target) => target.from('users').where('id', user.id).update({ username: null }))
    const changes = Object.fromEntries(fields.map((field) => [field, wanted[field]]))
    writes.run((target) =>
      target
        .from('users')
        .where('id', user.id)
        .update({ ...changes, updated_at: sqlTime() })
    )
    report.updated++
  }
  for (const key of ledger.goneKeys(new Set(source.users.map((user) => String(user.id)))))
    note(report, 'imported before, no longer in the source: left here', key)
  plan.append(renames)
  plan.append(writes)
  plan.append(entries)
  if (report.created) plan.run((target) => followInsertedIds('users', target))
}
