import type { HttpContext } from '@adonisjs/core/http'
import { EventFilterError, listEvents, type EventQuery } from '#services/audit/list_events'
import { AUDIT_EVENT_TYPES } from '#services/audit/event_types'
import { clientPath, userPath } from '#services/admin/paths'

/* The newest this many: narrow with the filters, or use events:list --limit */
const SHOWN = 100

/** A filter from the query string: blank means no filter */
function filterOf(ctx: HttpContext, name: string) {
  const value = ctx.request.qs()[name]
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : undefined
}

/** /admin/events/: the audit events, newest first, filtered as events:list filters them */
export default class EventsController {
  async index(ctx: HttpContext) {
    const query: EventQuery = {
      user: filterOf(ctx, 'user'),
      clientId: filterOf(ctx, 'client'),
      type: filterOf(ctx, 'type'),
      since: filterOf(ctx, 'since'),
      limit: String(SHOWN),
    }
    let problem: string | null = null
    let events: Awaited<ReturnType<typeof listEvents>> = []
    try {
      events = await listEvents(query)
    } catch (error) {
      if (!(error instanceof EventFilterError)) throw error
      /* the command's messages name its flags; here the fields have those names without dashes */
      problem = error.message.replace(/^--/, '')
    }
    return ctx.view.render('admin/events', {
      filters: {
        user: query.user ?? '',
        client: query.clientId ?? '',
        type: query.type ?? '',
        since: query.since ?? '',
      },
      types: AUDIT_EVENT_TYPES,
      problem,
      shown: SHOWN,
      events: events.map((event) => ({
        id: event.id,
        time: event.occurred_at.replace('T', ' ').replace('Z', ' UTC'),
        type: event.type,
        userId: event.user_id,
        userPath: event.user_id === null ? null : userPath(event.user_id),
        clientId: event.client_id,
        clientPath: event.client_id === null ? null : clientPath(event.client_id),
        ip: event.ip ?? '—',
        actor: event.actor ?? '—',
        data: event.data === null ? '' : JSON.stringify(event.data),
      })),
    })
  }
}
