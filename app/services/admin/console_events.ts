import type User from '#models/user'
import type { AuditEventType } from '#services/audit/event_types'
import { recordEvent, type AuditFields } from '#services/audit/record_event'

/** What a change touched: the user and client it concerns, and non-secret details */
export type ChangeFields = Omit<AuditFields, 'actor' | 'ip'>

/** The staff user as an event's actor */
export const staffActor = (staff: User) => `staff:${staff.id}`

/**
 * Records a change made in the console as an audit event (docs/observability.md),
 * of the type the matching admin command records, naming the staff user who
 * made it as its actor; never a secret.
 */
export async function recordConsoleChange(
  staff: User,
  ip: string | null,
  type: AuditEventType,
  fields: ChangeFields = {}
) {
  await recordEvent(type, { ...fields, actor: staffActor(staff), ip })
}
