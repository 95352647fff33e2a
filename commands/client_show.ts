import { args } from '@adonisjs/core/ace'
import { findClient } from '#services/oidc/clients/registration'
import { AdminCommand } from './_admin_command.js'
import { clientJson, describeClient, type ClientJson } from './_client_fields.js'
import { asAdminInput } from './_input_errors.js'

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
