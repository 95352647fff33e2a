import { args } from '@adonisjs/core/ace'
import { deleteClient } from '#services/oidc/client_registration'
import { AdminCommand } from '#services/admin/admin_command'
import { clientJson, type ClientJson } from '#services/admin/client_admin'
import { asAdminInput } from '#services/admin/input_errors'

export default class ClientDelete extends AdminCommand {
  static commandName = 'client:delete'
  static description = 'Delete a client with its tokens, codes and consents'

  @args.string({ description: 'The client id' })
  declare clientId: string

  protected async execute() {
    return clientJson(await asAdminInput(deleteClient(this.clientId)))
  }

  protected describe(client: ClientJson) {
    return `Deleted client ${client.id} (${client.name})`
  }
}
