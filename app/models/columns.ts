/**
 * Column codecs shared by the models (docs/data-model.md#conventions): booleans read
 * back as booleans, lists stored as newline-separated text, JSON as text.
 */
import { type DateTime } from 'luxon'
import { column } from '@adonisjs/lucid/orm'

export function booleanColumn() {
  return column({
    consume: (value: unknown) => Boolean(value),
    prepare: (value: boolean) => (value ? 1 : 0),
  })
}

export function listColumn() {
  return column({
    consume: (value: string | null) => parseList(value),
    prepare: (value: string[]) => value.join('\n'),
  })
}

export function jsonColumn() {
  return column({
    consume: (value: string | null) => (value ? JSON.parse(value) : null),
    prepare: (value: unknown) =>
      value === null || value === undefined ? null : JSON.stringify(value),
  })
}

/** Entries are trimmed and empty ones dropped (docs/data-model.md) */
export function parseList(value: string | null | undefined): string[] {
  return (value ?? '')
    .split('\n')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/**
 * A time as SQLite and MySQL store model DateTimes ('yyyy-MM-dd HH:mm:ss',
 * UTC), for conditions in hand-written queries; SQLite compares them as text,
 * PostgreSQL reads them in the session's time zone, which is UTC
 * (database/postgres_connection.ts).
 */
export function sqlTime(time?: DateTime) {
  /* luxon's toFormat re-reads its pattern on every call; this path runs for every token issued */
  return new Date(time ? time.toMillis() : Date.now()).toISOString().slice(0, 19).replace('T', ' ')
}

/** Words stored space-separated (RFC 8176 amr values); null stays null */
export function wordsColumn() {
  return column({
    consume: (value: string | null) =>
      value === null || value === undefined ? null : value.split(' ').filter(Boolean),
    prepare: (value: string[] | null) => (value ? value.join(' ') : null),
  })
}
