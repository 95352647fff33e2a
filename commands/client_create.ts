import { flags } from '@adonisjs/core/ace'
import { registerClient } from '#services/oidc/clients/registration'
import {
  ClientFieldsCommand,
  clientJson,
  describeClient,
  type ClientJson,
} from './_client_fields.js'
import { asAdminInput } from './_input_errors.js'
import { givenFields } from './_admin_command.js'

export default class ClientCreate extends ClientFieldsCommand {
  static commandName = 'client:create'
  static description = 'Register a client; a confidential client gets a secret, shown only now'

  @flags.string({ description: 'Client id to keep (a client brought over from allauth)' })
  declare id?: string

  @flags.string({
    description: "Stored secret hash to keep: sha256$<hex> or allauth's pbkdf2_sha256$…",
  })
  declare secretHash?: string

  protected async execute() {
    const fields = this.fields()
    const { client, secret } = await asAdminInput(
      registerClient(fields, { id: this.id, secretHash: this.secretHash })
    )
    await this.audit('admin.client_created', {
      clientId: client.id,
      data: { name: client.name, type: client.type, fields: givenFields(fields) },
    })
    return clientJson(client, secret)
  }

  protected describe(client: ClientJson) {
    return `Created ${describeClient(client)}`
  }
}
