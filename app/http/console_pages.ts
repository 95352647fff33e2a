/**
 * What the admin console's controllers share: the staff user (the staff
 * middleware let them in), form values read as text, the record of a change,
 * and the answer after it (a notice, then back to a page with 303).
 */
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { currentProviderSession } from '#http/provider_session'
import { redirectTo } from '#http/page_responses'
import { clientIp } from '#http/client_ip'
import type { AuditEventType } from '#services/audit/event_types'
import { recordConsoleChange, type ChangeFields } from '#services/admin/console_events'

export async function staffUser(ctx: HttpContext): Promise<User> {
  return (await currentProviderSession(ctx))!.user
}

/** A form value as text; a missing or repeated field reads as empty */
export function formText(ctx: HttpContext, name: string): string {
  const value = ctx.request.input(name)
  return typeof value === 'string' ? value : ''
}

/** The `q` of a search box */
export const searchQuery = (ctx: HttpContext) => {
  const value = ctx.request.qs().q
  return typeof value === 'string' ? value.slice(0, 200) : ''
}

export function doneThen(ctx: HttpContext, notice: string, path: string) {
  ctx.session.flash('notices', [notice])
  return redirectTo(ctx, path)
}

export function refusedThen(ctx: HttpContext, problem: string, path: string) {
  ctx.session.flash('problems', [problem])
  return redirectTo(ctx, path)
}

/** Records a change this request made, naming the staff user who made it */
export async function recordChange(
  ctx: HttpContext,
  type: AuditEventType,
  fields: ChangeFields = {}
) {
  await recordConsoleChange(await staffUser(ctx), clientIp(ctx.request), type, fields)
}
