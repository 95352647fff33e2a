/**
 * The one owner of `audit_events`: every statement that reads or writes an
 * event row is here. Writing an event never fails the action it records:
 * a failed write is logged (the event's own log line is already out).
 */
import type { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import type { WriteTransaction } from '#database/statements'
import AuditEvent from '#models/audit_event'
import { sqlTime } from '#models/columns'
import { deleteInBatches, insertRows, insertSoon, type RowsAlongside } from '#database/statements'
import { encodeRow, type Row } from '#database/rows'
import { isStorableText } from '#database/storable_text'
import type { AuditEventType } from '#services/audit/event_types'

export const EVENTS_TABLE = 'audit_events'

/** An event as recorded */
export type AuditRecord = {
  occurredAt: DateTime
  type: AuditEventType
  userId: number | null
  clientId: string | null
  ip: string | null
  actor: string | null
  data: Record<string, unknown> | null
}

/* A client_id an unknown client sent may not fit the column; the event keeps null then */
const CLIENT_ID_LENGTH = 100

/** The event's row, ready to insert */
export function eventRow(event: AuditRecord): Row {
  const { clientId } = event
  return encodeRow(AuditEvent, {
    ...event,
    clientId:
      clientId !== null && clientId.length <= CLIENT_ID_LENGTH && isStorableText(clientId)
        ? clientId
        : null,
  })
}

function reportUnstored(error: unknown, rows: Row[]) {
  logger.error({ err: error, audit_types: rows.map((row) => row.type) }, 'audit event not stored')
}

/**
 * Writes event rows inside the caller's transaction, or else as soon as
 * possible (batched with other requests'); never throws.
 */
export async function storeEvents(rows: Row[], trx?: WriteTransaction) {
  try {
    await (trx ? insertRows(EVENTS_TABLE, rows, trx) : insertSoon({ table: EVENTS_TABLE, rows }))
  } catch (error) {
    reportUnstored(error, rows)
  }
}

/** Event rows to write alongside others (insertSoon): a failure of theirs is logged only */
export function eventsAlongside(rows: Row[]): RowsAlongside {
  return { table: EVENTS_TABLE, rows, failed: (error) => reportUnstored(error, rows) }
}

export type EventFilter = {
  userId?: number
  clientId?: string
  type?: AuditEventType
  since?: DateTime
  limit: number
}

/** The newest events matching every given condition, newest first */
export function findEvents(filter: EventFilter): Promise<AuditEvent[]> {
  const query = AuditEvent.query()
  if (filter.userId !== undefined) query.where('user_id', filter.userId)
  if (filter.clientId !== undefined) query.where('client_id', filter.clientId)
  if (filter.type !== undefined) query.where('type', filter.type)
  if (filter.since !== undefined) query.where('occurred_at', '>=', sqlTime(filter.since))
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit)
}

/** Deletes the events that happened before `before`; how many */
export function pruneEvents(before: DateTime) {
  return deleteInBatches(EVENTS_TABLE, (query) => query.where('occurred_at', '<', sqlTime(before)))
}
