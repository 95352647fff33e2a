import { flags } from '@adonisjs/core/ace'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { EventFilterError, listEvents, type ListedEvent } from '#services/audit/list_events'

export default class EventsList extends AdminCommand {
  static commandName = 'events:list'
  static description = 'List audit events, newest first (docs/observability.md)'

  @flags.string({ description: 'Only events of this user: username, email address or user id' })
  declare user?: string

  @flags.string({ description: 'Only events of this client_id' })
  declare client?: string

  @flags.string({ description: 'Only events of this type, e.g. sign_in.failed' })
  declare type?: string

  @flags.string({
    description: 'Only events since an ISO 8601 time, or a duration back from now (30m, 12h, 7d)',
  })
  declare since?: string

  @flags.string({ description: 'At most this many events (default 100)' })
  declare limit?: string

  protected async execute() {
    try {
      return await listEvents({
        user: this.user,
        clientId: this.client,
        type: this.type,
        since: this.since,
        limit: this.limit,
      })
    } catch (error) {
      if (error instanceof EventFilterError) throw new AdminInputError(error.message)
      throw error
    }
  }

  protected describe(events: ListedEvent[]) {
    if (!events.length) return 'No events'
    return events
      .map((event) =>
        [
          event.occurred_at,
          event.type,
          event.user_id === null ? null : `user ${event.user_id}`,
          event.client_id === null ? null : `client ${event.client_id}`,
          event.ip,
          event.actor,
          event.data === null ? null : JSON.stringify(event.data),
        ]
          .filter((part) => part !== null)
          .join('  ')
      )
      .join('\n')
  }
}
