import { args, flags } from '@adonisjs/core/ace'
import { deleteClient, findClient } from '#services/oidc/clients/registration'
import { AdminCommand } from './_admin_command.js'
import { clientJson, type ClientJson } from './_client_fields.js'
import { asAdminInput } from './_input_errors.js'

export default class ClientDelete extends AdminCommand {
  static commandName = 'client:delete'
  static description = 'Delete a client with its tokens, codes and consents'

  @args.string({ description: 'The client id' })
  declare clientId: string

  @flags.boolean({ description: 'Delete without asking' })
  declare force?: boolean

  protected async execute() {
    const client = await asAdminInput(findClient(this.clientId))
    await this.confirmOrForce(
      `Delete client ${client.id} (${client.name}) with its tokens, codes and consents?`,
      Boolean(this.force)
    )
    await asAdminInput(deleteClient(this.clientId))
    await this.audit('admin.client_deleted', { clientId: client.id, data: { name: client.name } })
    return clientJson(client)
  }

  protected describe(client: ClientJson) {
    return `Deleted client ${client.id} (${client.name})`
  }
}
