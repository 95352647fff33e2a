/**
 * Column values as the three drivers hand them back from a Django database,
 * made into plain values: booleans are 0/1 on SQLite and MySQL, datetimes are
 * UTC text without a zone (SQLite, MySQL read as text) or Date objects (pg),
 * JSONField is text (SQLite, MariaDB) or already parsed (MySQL, pg), and
 * PostgreSQL's bigint comes back as a string.
 */
import { DateTime } from 'luxon'
import { parseList, sqlTime } from '#models/columns'

export function asBoolean(value: unknown) {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true'
}

export function asNumber(value: unknown) {
  return value === null || value === undefined ? null : Number(value)
}

export function asText(value: unknown) {
  return value === null || value === undefined ? '' : String(value)
}

export function asDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null
  if (value instanceof Date) return value
  const text = String(value).trim().replace(' ', 'T')
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(date.getTime()) ? null : date
}

export function asJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null
  try {
    return JSON.parse(value)
  } catch {
    return null
  }
}

/** allauth's newline-separated lists */
export function asList(value: unknown) {
  return parseList(asText(value))
}

/** A datetime as the target stores it (UTC 'yyyy-MM-dd HH:mm:ss') */
export function sqlTimeOf(date: Date | null) {
  return date ? sqlTime(DateTime.fromJSDate(date)) : null
}
