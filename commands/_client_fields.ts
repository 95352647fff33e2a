/**
 * What client:* commands share: the field flags of client:create and
 * client:update (read by the service the admin console uses too), and the
 * client's JSON shape (docs/operations.md#commands).
 */
import { flags } from '@adonisjs/core/ace'
import type OidcClient from '#models/oidc_client'
import { AdminCommand } from './_admin_command.js'
import type { ClientFields } from '#services/oidc/clients/registration'
import { readClientFields } from '#services/oidc/clients/client_input'

export abstract class ClientFieldsCommand extends AdminCommand {
  @flags.string({ description: 'Name shown on the consent page', allowEmptyValue: true })
  declare name?: string

  @flags.string({ description: 'confidential (default) or public' })
  declare type?: string

  @flags.string({
    description: 'Allowed scopes, space-separated (default "openid")',
    allowEmptyValue: true,
  })
  declare scopes?: string

  @flags.string({
    description: 'Scopes used when a request has none, space-separated',
    allowEmptyValue: true,
  })
  declare defaultScopes?: string

  @flags.string({
    description: 'Grant types, space-separated (default "authorization_code")',
    allowEmptyValue: true,
  })
  declare grantTypes?: string

  @flags.string({
    description: 'Response types, comma-separated (default "code")',
    allowEmptyValue: true,
  })
  declare responseTypes?: string

  @flags.string({ description: 'Redirect URIs, space-separated', allowEmptyValue: true })
  declare redirectUris?: string

  @flags.string({
    description: 'Post-logout redirect URIs, space-separated',
    allowEmptyValue: true,
  })
  declare postLogoutRedirectUris?: string

  @flags.string({ description: 'Origins allowed by CORS, space-separated', allowEmptyValue: true })
  declare corsOrigins?: string

  @flags.string({ description: 'Back-channel logout URI (empty to remove)', allowEmptyValue: true })
  declare backchannelLogoutUri?: string

  @flags.boolean({
    description: 'Allow one * in the host of the URIs',
    showNegatedVariantInHelp: true,
  })
  declare allowUriWildcards?: boolean

  @flags.boolean({ description: 'Never ask the user for consent', showNegatedVariantInHelp: true })
  declare skipConsent?: boolean

  @flags.boolean({
    description: 'Ask every user for a second factor (docs/mfa.md)',
    showNegatedVariantInHelp: true,
  })
  declare requireMfa?: boolean

  /** The fields given on the command line; the others are undefined */
  protected fields(): Partial<ClientFields> {
    return readClientFields(
      {
        name: this.name,
        type: this.type,
        scopes: this.scopes,
        defaultScopes: this.defaultScopes,
        grantTypes: this.grantTypes,
        responseTypes: this.responseTypes,
        redirectUris: this.redirectUris,
        postLogoutRedirectUris: this.postLogoutRedirectUris,
        corsOrigins: this.corsOrigins,
        backchannelLogoutUri: this.backchannelLogoutUri,
        allowUriWildcards: this.allowUriWildcards,
        skipConsent: this.skipConsent,
        requireMfa: this.requireMfa,
      },
      'command line'
    )
  }
}

/** the keys of docs/operations.md#client-json, in that order; `secret` only when it was just made */
export function clientJson(client: OidcClient, secret: string | null = null) {
  return {
    id: client.id,
    ...(secret ? { secret } : {}),
    name: client.name,
    type: client.type,
    scopes: client.scopes,
    default_scopes: client.defaultScopes,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    backchannel_logout_uri: client.backchannelLogoutUri,
    cors_origins: client.corsOrigins,
    allow_uri_wildcards: client.allowUriWildcards,
    skip_consent: client.skipConsent,
    require_mfa: client.requireMfa,
  }
}

export type ClientJson = ReturnType<typeof clientJson> & { secret?: string }

export function describeClient(client: ClientJson) {
  const lines = [`${client.name} (${client.type}) id: ${client.id}`]
  if (client.secret) lines.push(`  secret: ${client.secret}  (shown only now: store it)`)
  for (const [key, value] of Object.entries(client)) {
    if (['id', 'secret', 'name', 'type'].includes(key)) continue
    const shown = Array.isArray(value) ? value.join(key === 'response_types' ? ', ' : ' ') : value
    lines.push(`  ${key}: ${shown === '' || shown === null ? '-' : shown}`)
  }
  return lines.join('\n')
}
