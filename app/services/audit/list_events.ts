/**
 * events:list: the filters an operator types, read into a query, and the
 * events as plain values.
 */
import { DateTime, Duration } from 'luxon'
import type AuditEvent from '#models/audit_event'
import { findEvents } from '#services/audit/event_store'
import { findUserByLogin } from '#services/accounts/credentials'
import { AUDIT_EVENT_TYPES, isAuditEventType } from '#services/audit/event_types'

export class EventFilterError extends Error {}

export type EventQuery = {
  /** A username, an address, or a user id (still found once the user is deleted) */
  user?: string
  clientId?: string
  type?: string
  since?: string
  limit?: string
}

export type ListedEvent = {
  id: number
  occurred_at: string
  type: string
  user_id: number | null
  client_id: string | null
  ip: string | null
  actor: string | null
  data: Record<string, unknown> | null
}

const UNITS: Record<string, string> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' }

/** `--since`: an ISO 8601 time, or a duration back from now (`30m`, `12h`, `7d`) */
export function parseSince(value: string, now = DateTime.utc()): DateTime {
  const relative = /^(\d+)([smhd])$/.exec(value)
  if (relative) return now.minus(Duration.fromObject({ [UNITS[relative[2]]]: Number(relative[1]) }))
  const time = DateTime.fromISO(value, { zone: 'utc' })
  if (!time.isValid)
    throw new EventFilterError(
      `--since: expected an ISO 8601 time or a duration such as 30m, 12h, 7d, got "${value}"`
    )
  return time
}

async function userIdOf(login: string) {
  const user = await findUserByLogin(login, ['username', 'email'])
  if (user) return user.id
  if (/^\d+$/.test(login) && Number.isSafeInteger(Number(login))) return Number(login)
  throw new EventFilterError(`--user: no user "${login}"`)
}

function parseLimit(value: string | undefined) {
  if (value === undefined) return 100
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000)
    throw new EventFilterError(`--limit: expected a number from 1 to 10000, got "${value}"`)
  return Number(value)
}

export function listedEvent(event: AuditEvent): ListedEvent {
  return {
    id: Number(event.id),
    occurred_at: event.occurredAt.toUTC().toISO({ suppressMilliseconds: true })!,
    type: event.type,
    user_id: event.userId,
    client_id: event.clientId,
    ip: event.ip,
    actor: event.actor,
    data: event.data,
  }
}

/** The newest events matching the query, newest first */
export async function listEvents(query: EventQuery): Promise<ListedEvent[]> {
  if (query.type !== undefined && !isAuditEventType(query.type))
    throw new EventFilterError(
      `--type: unknown event type "${query.type}" (one of ${AUDIT_EVENT_TYPES.join(', ')})`
    )
  const events = await findEvents({
    userId: query.user === undefined ? undefined : await userIdOf(query.user),
    clientId: query.clientId,
    type: query.type,
    since: query.since === undefined ? undefined : parseSince(query.since),
    limit: parseLimit(query.limit),
  })
  return events.map(listedEvent)
}
