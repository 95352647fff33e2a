import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonColumn } from '#models/columns'
import type { AuditEventType } from '#services/audit/event_types'

/** One thing that happened (docs/observability.md, Audit events) */
export default class AuditEvent extends BaseModel {
  static table = 'audit_events'

  @column({ isPrimary: true })
  declare id: number

  @column.dateTime()
  declare occurredAt: DateTime

  @column()
  declare type: AuditEventType

  @column()
  declare userId: number | null

  @column()
  declare clientId: string | null

  @column()
  declare ip: string | null

  /** Who acted when not the user or client: `ace:<os user>` for admin commands */
  @column()
  declare actor: string | null

  /** Non-secret details, by event type */
  @jsonColumn()
  declare data: Record<string, unknown> | null
}
