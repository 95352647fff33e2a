import logger from '@adonisjs/core/services/logger'
import type User from '#models/user'

/**
 * Every change made in the admin console, named after what it did
 * (`client.created`, `user.deactivated`, …), with the staff user who made it
 * and what it changed (never a secret).
 */
export function recordConsoleChange(
  staff: User,
  event: string,
  subject: Record<string, string | number | null>
) {
  logger.info(
    { event: `admin.${event}`, staff_user_id: staff.id, ...subject },
    'admin console change'
  )
}
