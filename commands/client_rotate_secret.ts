import { args } from '@adonisjs/core/ace'
import { rotateClientSecret } from '#services/oidc/clients/registration'
import { AdminCommand } from './_admin_command.js'
import { clientJson, describeClient, type ClientJson } from './_client_fields.js'
import { asAdminInput } from './_input_errors.js'

export default class ClientRotateSecret extends AdminCommand {
  static commandName = 'client:rotate-secret'
  static description =
    'Give a confidential client a new secret, shown only now; the old one stops working'

  @args.string({ description: 'The client id' })
  declare clientId: string

  protected async execute() {
    const { client, secret } = await asAdminInput(rotateClientSecret(this.clientId))
    await this.audit('admin.client_secret_rotated', { clientId: client.id })
    return clientJson(client, secret)
  }

  protected describe(client: ClientJson) {
    return `New secret for ${describeClient(client)}`
  }
}
