import logger from '@adonisjs/core/services/logger'
import type User from '#models/user'

/** The changes the console makes, named as the admin commands' audit events are */
export type ConsoleChange =
  | 'admin.client_created'
  | 'admin.client_updated'
  | 'admin.client_deleted'
  | 'admin.client_secret_rotated'
  | 'admin.user_updated'
  | 'admin.user_signed_out'
  | 'admin.tokens_revoked'
  | 'admin.consent_revoked'
  | 'admin.keys_generated'
  | 'admin.key_retired'

/** What a change touched: the user and client it concerns, and non-secret details */
export type ChangeFields = {
  userId?: number | null
  clientId?: string | null
  data?: Record<string, string | number | boolean | null>
}

/** The staff user as an event's actor */
export const staffActor = (staff: User) => `staff:${staff.id}`

/**
 * Records a change made in the console, naming the staff user who made it
 * (never a secret). One log line for now; the audit event store takes it
 * over when it exists.
 */
export function recordConsoleChange(
  staff: User,
  ip: string | null,
  type: ConsoleChange,
  fields: ChangeFields = {}
) {
  logger.info(
    {
      event: type,
      actor: staffActor(staff),
      ip,
      user_id: fields.userId ?? null,
      client_id: fields.clientId ?? null,
      data: fields.data ?? null,
    },
    'admin console change'
  )
}
