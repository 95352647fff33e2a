import type { HttpContext } from '@adonisjs/core/http'
import type OidcClient from '#models/oidc_client'
import {
  CLIENT_DEFAULTS,
  ClientRegistrationError,
  deleteClient,
  fieldsOf,
  findClient,
  registerClient,
  rotateClientSecret,
  updateClient,
} from '#services/oidc/clients/registration'
import {
  readClientFields,
  typedClientFields,
  type TypedClientFields,
} from '#services/oidc/clients/client_input'
import { NO_SECRET } from '#services/oidc/clients/secrets'
import { searchClients } from '#services/oidc/clients/client_search'
import { listLiveTokens, revokeTokenOf } from '#services/oidc/tokens/token_store'
import { listClientConsents, revokeConsent } from '#services/oidc/authorize/consent_store'
import { NotFound } from '#services/oidc/protocol/errors'
import { consentRows, tokenRows } from '#services/admin/display'
import { CONSOLE_PATHS, clientPath } from '#services/admin/paths'
import { doneThen, formText, recordChange, searchQuery } from '#http/console_pages'

/** The form's field names: client:create's JSON keys */
const FORM_FIELDS: Record<keyof TypedClientFields, string> = {
  name: 'name',
  type: 'type',
  scopes: 'scopes',
  defaultScopes: 'default_scopes',
  grantTypes: 'grant_types',
  responseTypes: 'response_types',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  corsOrigins: 'cors_origins',
  backchannelLogoutUri: 'backchannel_logout_uri',
  allowUriWildcards: 'allow_uri_wildcards',
  skipConsent: 'skip_consent',
  requireMfa: 'require_mfa',
}

/** The whole form: every field is given, an unticked box is off */
function typedFromForm(ctx: HttpContext): Required<TypedClientFields> {
  const typed = Object.fromEntries(
    Object.entries(FORM_FIELDS).map(([field, name]) => [field, formText(ctx, name)])
  ) as Record<keyof TypedClientFields, string>
  return {
    ...typed,
    allowUriWildcards: ctx.request.input('allow_uri_wildcards') !== undefined,
    skipConsent: ctx.request.input('skip_consent') !== undefined,
    requireMfa: ctx.request.input('require_mfa') !== undefined,
  }
}

/** The client of the path, or the console's 404 */
async function clientOf(ctx: HttpContext): Promise<OidcClient> {
  try {
    return await findClient(String(ctx.params.id))
  } catch (error) {
    if (error instanceof ClientRegistrationError) throw new NotFound().asPage()
    throw error
  }
}

/** /admin/clients/…: list, add, show, edit, delete (docs/admin.md) */
export default class ClientsController {
  async index(ctx: HttpContext) {
    const query = searchQuery(ctx)
    const clients = await searchClients(query)
    return ctx.view.render('admin/clients', {
      query,
      clients: clients.map((client) => ({
        id: client.id,
        name: client.name,
        type: client.type,
        grantTypes: client.grantTypes.join(' '),
        path: clientPath(client.id),
      })),
    })
  }

  async create(ctx: HttpContext) {
    return this.#form(ctx, null, typedClientFields({ name: '', ...CLIENT_DEFAULTS }))
  }

  async store(ctx: HttpContext) {
    const typed = typedFromForm(ctx)
    let registered
    try {
      registered = await registerClient(readClientFields(typed, 'one per line'))
    } catch (error) {
      if (!(error instanceof ClientRegistrationError)) throw error
      return this.#form(ctx, null, typed, error.message)
    }
    const { client, secret } = registered
    await recordChange(ctx, 'admin.client_created', {
      clientId: client.id,
      data: { name: client.name, type: client.type },
    })
    if (secret) return this.#secret(ctx, client, secret, 'Client added')
    return doneThen(ctx, `Added client ${client.name}.`, clientPath(client.id))
  }

  async show(ctx: HttpContext) {
    const client = await clientOf(ctx)
    const tokens = await listLiveTokens({ clientId: client.id })
    const consents = await listClientConsents(client.id)
    return ctx.view.render('admin/client', {
      client: {
        ...typedClientFields(fieldsOf(client)),
        id: client.id,
        path: clientPath(client.id),
        withoutSecret: !client.isPublic && client.secret === NO_SECRET,
      },
      tokens: await tokenRows(tokens),
      consents: await consentRows(consents),
    })
  }

  /** The show page's buttons: revoke one token, or one user's consent (and their tokens) */
  async revoke(ctx: HttpContext) {
    const client = await clientOf(ctx)
    const token = Number(formText(ctx, 'token_id'))
    const user = Number(formText(ctx, 'user_id'))
    if (Number.isSafeInteger(token) && token > 0) {
      await revokeTokenOf({ clientId: client.id }, token)
      await recordChange(ctx, 'admin.tokens_revoked', {
        clientId: client.id,
        data: { token_id: token },
      })
      return doneThen(ctx, 'Token revoked.', clientPath(client.id))
    }
    if (Number.isSafeInteger(user) && user > 0) {
      await revokeConsent(user, client.id)
      await recordChange(ctx, 'consent.revoked', { clientId: client.id, userId: user })
      return doneThen(ctx, 'Consent and its tokens revoked.', clientPath(client.id))
    }
    return doneThen(ctx, 'Nothing was chosen.', clientPath(client.id))
  }

  async edit(ctx: HttpContext) {
    const client = await clientOf(ctx)
    return this.#form(ctx, client, typedClientFields(fieldsOf(client)))
  }

  async update(ctx: HttpContext) {
    const client = await clientOf(ctx)
    const typed = typedFromForm(ctx)
    let updated
    try {
      updated = await updateClient(client.id, readClientFields(typed, 'one per line'))
    } catch (error) {
      if (!(error instanceof ClientRegistrationError)) throw error
      return this.#form(ctx, client, typed, error.message)
    }
    await recordChange(ctx, 'admin.client_updated', { clientId: client.id })
    const hint =
      !updated.isPublic && updated.secret === NO_SECRET
        ? ' It has no secret yet: rotate its secret to give it one.'
        : ''
    return doneThen(ctx, `Saved client ${updated.name}.${hint}`, clientPath(client.id))
  }

  async confirmDelete(ctx: HttpContext) {
    const client = await clientOf(ctx)
    return ctx.view.render('admin/client_delete', {
      client: { id: client.id, name: client.name, path: clientPath(client.id) },
    })
  }

  async destroy(ctx: HttpContext) {
    const client = await clientOf(ctx)
    await deleteClient(client.id)
    await recordChange(ctx, 'admin.client_deleted', {
      clientId: client.id,
      data: { name: client.name },
    })
    return doneThen(ctx, `Deleted client ${client.name}.`, CONSOLE_PATHS.clients)
  }

  async confirmRotation(ctx: HttpContext) {
    const client = await clientOf(ctx)
    if (client.isPublic) throw new NotFound().asPage()
    return ctx.view.render('admin/client_rotate', {
      client: { id: client.id, name: client.name, path: clientPath(client.id) },
    })
  }

  async rotate(ctx: HttpContext) {
    const client = await clientOf(ctx)
    if (client.isPublic) throw new NotFound().asPage()
    const { secret } = await rotateClientSecret(client.id)
    await recordChange(ctx, 'admin.client_secret_rotated', { clientId: client.id })
    return this.#secret(ctx, client, secret!, 'New client secret')
  }

  /** The one page that shows a secret: answered to the POST, never stored or redirected to */
  #secret(ctx: HttpContext, client: OidcClient, secret: string, title: string) {
    return ctx.view.render('admin/client_secret', {
      title,
      client: { id: client.id, name: client.name, path: clientPath(client.id) },
      secret,
    })
  }

  #form(
    ctx: HttpContext,
    client: OidcClient | null,
    typed: Required<TypedClientFields>,
    problem?: string
  ) {
    return ctx.view.render('admin/client_form', {
      client: client && { id: client.id, name: client.name, path: clientPath(client.id) },
      action: client ? `${clientPath(client.id)}edit/` : CONSOLE_PATHS.newClient,
      values: typed,
      problems: problem ? [problem] : [],
    })
  }
}
