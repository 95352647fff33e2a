/**
 * Recording an audit event: one structured log line (`audit` field) and one
 * `audit_events` row. Details are non-secret by construction: callers pass
 * names, ids, counts and reasons, never a password, token, code or secret.
 */
import { DateTime } from 'luxon'
import appLogger from '@adonisjs/core/services/logger'
import type { Logger } from '@adonisjs/core/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { AuditEventType } from '#services/audit/event_types'
import { eventRow, storeEvents, type AuditRecord } from '#services/audit/event_store'

export type AuditFields = {
  userId?: number | null
  clientId?: string | null
  ip?: string | null
  actor?: string | null
  data?: Record<string, unknown>
}

/** The event, stamped now */
export function auditEvent(type: AuditEventType, fields: AuditFields = {}): AuditRecord {
  return {
    occurredAt: DateTime.utc(),
    type,
    userId: fields.userId ?? null,
    clientId: fields.clientId ?? null,
    ip: fields.ip ?? null,
    actor: fields.actor ?? null,
    data: fields.data ?? null,
  }
}

/** The event's log line, at info */
export function logEvent(event: AuditRecord, logger: Logger = appLogger) {
  logger.info(
    {
      audit: {
        type: event.type,
        user_id: event.userId,
        client_id: event.clientId,
        ip: event.ip,
        actor: event.actor,
        data: event.data,
      },
    },
    `audit ${event.type}`
  )
}

/**
 * Logs and stores one event; never throws, so recording cannot fail the
 * action. Inside the caller's transaction when one is given.
 */
export async function recordEvent(
  type: AuditEventType,
  fields: AuditFields = {},
  options: { logger?: Logger; trx?: TransactionClientContract } = {}
) {
  const event = auditEvent(type, fields)
  logEvent(event, options.logger)
  await storeEvents([eventRow(event)], options.trx)
}
