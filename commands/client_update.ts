import { args } from '@adonisjs/core/ace'
import { NO_SECRET } from '#services/oidc/clients/secrets'
import { updateClient } from '#services/oidc/clients/registration'
import {
  ClientFieldsCommand,
  clientJson,
  describeClient,
  type ClientJson,
} from './_client_fields.js'
import { asAdminInput } from './_input_errors.js'
import { givenFields } from './_admin_command.js'

export default class ClientUpdate extends ClientFieldsCommand {
  static commandName = 'client:update'
  static description =
    'Change the given fields of a client (--no-skip-consent etc. turn a switch off)'

  @args.string({ description: 'The client id' })
  declare clientId: string

  /** A client just made confidential has no secret yet */
  #withoutSecret = false

  protected async execute() {
    const fields = this.fields()
    const client = await asAdminInput(updateClient(this.clientId, fields))
    await this.audit('admin.client_updated', {
      clientId: client.id,
      data: { fields: givenFields(fields) },
    })
    this.#withoutSecret = !client.isPublic && client.secret === NO_SECRET
    return clientJson(client)
  }

  protected describe(client: ClientJson) {
    const hint = this.#withoutSecret
      ? `\nIt has no secret yet: run \`node ace client:rotate-secret ${client.id}\``
      : ''
    return `Updated ${describeClient(client)}${hint}`
  }
}
