import OidcClient from '#models/oidc_client'
import { AdminCommand } from './_admin_command.js'
import { clientJson, type ClientJson } from './_client_fields.js'

export default class ClientList extends AdminCommand {
  static commandName = 'client:list'
  static description = 'List the clients'

  protected async execute() {
    const clients = await OidcClient.query().orderBy('created_at').orderBy('id')
    return clients.map((client) => clientJson(client))
  }

  protected describe(clients: ClientJson[]) {
    return clients.length
      ? clients
          .map((client) => `${client.id}  ${client.type.padEnd(12)}  ${client.name}`)
          .join('\n')
      : 'No clients'
  }
}
