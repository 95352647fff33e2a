import { args } from '@adonisjs/core/ace'
import { findClient } from '#services/oidc/client_registration'
import { AdminCommand } from '#services/admin/admin_command'
import { clientJson, describeClient, type ClientJson } from '#services/admin/client_admin'
import { asAdminInput } from '#services/admin/input_errors'

export default class ClientShow extends AdminCommand {
  static commandName = 'client:show'
  static description = 'Show a client (never its secret)'

  @args.string({ description: 'The client id' })
  declare clientId: string

  protected async execute() {
    return clientJson(await asAdminInput(findClient(this.clientId)))
  }

  protected describe(client: ClientJson) {
    return describeClient(client)
  }
}
