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
import { DateTime } from 'luxon'
import { sqlTime } from '#models/columns'
import { djangoAlgorithm } from '#services/accounts/passwords/django_hashers'
import { NO_PASSWORD } from '#services/accounts/passwords/stored_passwords'
import type { ImportContext } from '#services/allauth_import/import_context'
import { note, skip, type TableReport } from '#services/allauth_import/import_report'
import { changedFields, digestFields, Ledger } from '#services/allauth_import/ledger'
import type { SourceUser } from '#services/allauth_import/source_readers'
import { asBoolean, asDate } from '#services/allauth_import/source_values'
import { WritePlan } from '#services/allauth_import/write_plan'
import { followInsertedIds } from '#database/id_sequences'

type Row = Record<string, unknown>
type UserColumns = {
  username: string | null
  password: string
  first_name: string
  last_name: string
  is_active: number
  is_staff: number
  is_superuser: number
  last_login_at: string | null
  created_at: string
}

const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : null)
const time = (date: Date | null) => (date ? sqlTime(DateTime.fromJSDate(date)) : null)

/** The password as stored here, noting why a user must reset theirs */
function storedPassword(user: SourceUser, report: TableReport) {
  if (user.password.startsWith('!') || !user.password) {
    note(report, 'no usable password in the source: the user resets it', user.id)
    return NO_PASSWORD
  }
  if (djangoAlgorithm(user.password)) return user.password
  const algorithm = user.password.split('$')[0].slice(0, 30)
  note(report, `password hash "${algorithm}" cannot be verified: the user resets it`, user.id)
  return NO_PASSWORD
}

function columnsOf(user: SourceUser, password: string): UserColumns {
  return {
    username: user.username || null,
    password,
    first_name: user.firstName,
    last_name: user.lastName,
    is_active: user.isActive ? 1 : 0,
    is_staff: user.isStaff ? 1 : 0,
    is_superuser: user.isSuperuser ? 1 : 0,
    last_login_at: time(user.lastLogin),
    created_at: time(user.dateJoined) ?? sqlTime(),
  }
}

/** A target row in the same shape, to compare with */
function columnsHere(row: Row): UserColumns {
  return {
    username: (row.username as string | null) ?? null,
    password: String(row.password),
    first_name: String(row.first_name),
    last_name: String(row.last_name),
    is_active: asBoolean(row.is_active) ? 1 : 0,
    is_staff: asBoolean(row.is_staff) ? 1 : 0,
    is_superuser: asBoolean(row.is_superuser) ? 1 : 0,
    last_login_at: time(asDate(row.last_login_at)),
    created_at: time(asDate(row.created_at)) ?? '',
  }
}

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

export async function importUsers(context: ImportContext) {
  const { client, plan, source, importedUsers } = context
  const report = context.report.tables.auth_user
  const ledger = await Ledger.load(client, context.sourceId, 'auth_user')
  const here = new Map<number, Row>()
  const usernamesHere = new Map<string, number>()
  for (const row of await client.from('users').select('*')) {
    here.set(Number(row.id), row)
    if (row.username) usernamesHere.set(row.username.toLowerCase(), Number(row.id))
  }
  const addressesHere = new Map<number, Set<string>>()
  for (const row of await client.from('email_addresses').select('user_id', 'email')) {
    const userId = Number(row.user_id)
    if (!addressesHere.has(userId)) addressesHere.set(userId, new Set())
    addressesHere.get(userId)!.add(row.email)
  }
  const sourceIds = new Set(source.users.map((user) => user.id))
  const sourceAddresses = new Map<number, Set<string>>()
  for (const { userId, email } of [
    ...source.users.map((u) => ({ userId: u.id, email: u.email })),
    ...source.emailAddresses,
  ]) {
    if (!sourceAddresses.has(userId)) sourceAddresses.set(userId, new Set())
    if (email) sourceAddresses.get(userId)!.add(email.trim().toLowerCase())
  }
  const firstWithUsername = new Map<string, number>()
  for (const user of source.users) {
    const key = lower(user.username)
    if (key && !firstWithUsername.has(key)) firstWithUsername.set(key, user.id)
  }

  /** Another user here holds the name (one that is not itself a source user, renamed below if it must be) */
  const usernameTaken = (user: SourceUser) => {
    const holder = usernamesHere.get(lower(user.username) ?? '')
    return holder !== undefined && holder !== user.id && !sourceIds.has(holder) ? holder : null
  }
  const samePerson = (user: SourceUser, row: Row) => {
    if (user.username && lower(user.username) === lower(row.username as string | null)) return true
    const mine = addressesHere.get(user.id) ?? new Set()
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
    const existing = here.get(user.id)
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
