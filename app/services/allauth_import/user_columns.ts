/**
 * The users columns the import writes, from a source user or from a row
 * here, in one shape so that they compare.
 */
import { sqlTime } from '#models/columns'
import { djangoAlgorithm } from '#services/accounts/passwords/django_hashers'
import { NO_PASSWORD } from '#services/accounts/passwords/stored_passwords'
import { note, type TableReport } from '#services/allauth_import/import_report'
import type { SourceUser } from '#services/allauth_import/source_rows'
import { asBoolean, asDate, sqlTimeOf } from '#services/allauth_import/source_values'

export type UserColumns = {
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

/** The password as stored here, noting why a user must reset theirs */
export function storedPassword(user: SourceUser, report: TableReport) {
  if (user.password.startsWith('!') || !user.password) {
    note(report, 'no usable password in the source: the user resets it', user.id)
    return NO_PASSWORD
  }
  if (djangoAlgorithm(user.password)) return user.password
  const algorithm = user.password.split('$')[0].slice(0, 30)
  note(report, `password hash "${algorithm}" cannot be verified: the user resets it`, user.id)
  return NO_PASSWORD
}

export function columnsOf(user: SourceUser, password: string): UserColumns {
  return {
    username: user.username || null,
    password,
    first_name: user.firstName,
    last_name: user.lastName,
    is_active: user.isActive ? 1 : 0,
    is_staff: user.isStaff ? 1 : 0,
    is_superuser: user.isSuperuser ? 1 : 0,
    last_login_at: sqlTimeOf(user.lastLogin),
    created_at: sqlTimeOf(user.dateJoined) ?? sqlTime(),
  }
}

/** A target row in the same shape, to compare with */
export function columnsHere(row: Record<string, unknown>): UserColumns {
  return {
    username: (row.username as string | null) ?? null,
    password: String(row.password),
    first_name: String(row.first_name),
    last_name: String(row.last_name),
    is_active: asBoolean(row.is_active) ? 1 : 0,
    is_staff: asBoolean(row.is_staff) ? 1 : 0,
    is_superuser: asBoolean(row.is_superuser) ? 1 : 0,
    last_login_at: sqlTimeOf(asDate(row.last_login_at)),
    created_at: sqlTimeOf(asDate(row.created_at)) ?? '',
  }
}
