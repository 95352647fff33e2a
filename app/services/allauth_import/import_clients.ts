/**
 * allauth_idp_oidc_client → oidc_clients: every field, the id kept and the
 * secret's Django hash kept (it is checked, then upgraded to SHA-256, at the
 * client's first authentication), exactly as `client:create --id
 * --secret-hash` does. A client our registration rules refuse (an http
 * redirect URI on a public host, default scopes outside its scopes, …) is
 * skipped with the rule's message.
 *
 * A client id that exists here and was not imported is the same client (ids
 * are random, so it came over with `client:create --id`): it takes the
 * source's fields and keeps the secret it has here. The fields allauth does
 * not have (post-logout redirect URIs, back-channel logout URI) are never
 * touched.
 */
import { sqlTime } from '#models/columns'
import type { ImportContext } from '#services/allauth_import/import_context'
import { note, skip } from '#services/allauth_import/import_report'
import { changedFields, digestFields, Ledger } from '#services/allauth_import/ledger'
import type { SourceClient } from '#services/allauth_import/source_rows'
import { WritePlan } from '#services/allauth_import/write_plan'
import {
  checkClientFields,
  checkClientId,
  ClientRegistrationError,
  type ClientFields,
} from '#services/oidc/clients/registration'
import { isDjangoHash, NO_SECRET } from '#services/oidc/clients/secrets'
import { asBoolean, asJson, sqlTimeOf } from '#services/allauth_import/source_values'

type Row = Record<string, unknown>

const SHA256_SECRET = /^sha256\$[0-9a-f]{64}$/

/** The fields as our registration rules store them, or the rule the client breaks */
function checkedFields(client: SourceClient): ClientFields | string {
  try {
    checkClientId(client.id)
    return checkClientFields({
      ...client,
      backchannelLogoutUri: null,
      postLogoutRedirectUris: [],
      /* allauth has no such flag; one set here is left as it is */
      requireMfa: false,
    } as ClientFields)
  } catch (error) {
    if (error instanceof ClientRegistrationError) return error.message
    throw error
  }
}

/** The columns this import owns, from checked fields */
function columnsOf(
  fields: ClientFields,
  secret: string,
  ownerId: number | null,
  client: SourceClient
) {
  return {
    name: fields.name,
    secret,
    type: fields.type,
    scopes: fields.scopes.join('\n'),
    default_scopes: fields.defaultScopes.join('\n'),
    grant_types: fields.grantTypes.join('\n'),
    response_types: fields.responseTypes.join('\n'),
    redirect_uris: fields.redirectUris.join('\n'),
    cors_origins: fields.corsOrigins.join('\n'),
    allow_uri_wildcards: fields.allowUriWildcards ? 1 : 0,
    skip_consent: fields.skipConsent ? 1 : 0,
    owner_id: ownerId,
    data: client.data === null || client.data === undefined ? null : JSON.stringify(client.data),
    created_at: sqlTimeOf(client.createdAt) ?? sqlTime(),
  }
}

type ClientColumns = ReturnType<typeof columnsOf>

/** A row here in the same shape, to compare with */
function columnsHere(row: Row, wanted: ClientColumns): ClientColumns {
  const data = asJson(row.data)
  return {
    ...(Object.fromEntries(Object.keys(wanted).map((key) => [key, row[key]])) as ClientColumns),
    allow_uri_wildcards: asBoolean(row.allow_uri_wildcards) ? 1 : 0,
    skip_consent: asBoolean(row.skip_consent) ? 1 : 0,
    owner_id: row.owner_id === null ? null : Number(row.owner_id),
    data: data === null ? null : JSON.stringify(data),
    created_at: wanted.created_at,
  }
}

export async function importClients(context: ImportContext) {
  const { client, plan, source, importedUsers, importedClients } = context
  const report = context.report.tables.allauth_idp_oidc_client
  const ledger = await Ledger.load(client, context.sourceId, 'allauth_idp_oidc_client')
  const rows: Row[] = await client.from('oidc_clients').select('*')
  const here = new Map(rows.map((row) => [row.id as string, row]))

  const writes = new WritePlan()
  const entries = new WritePlan()
  for (const sourceClient of source.clients) {
    const fields = checkedFields(sourceClient)
    if (typeof fields === 'string') {
      skip(report, fields, sourceClient.id)
      continue
    }
    let secret = NO_SECRET
    if (fields.type === 'confidential') {
      if (isDjangoHash(sourceClient.secret) || SHA256_SECRET.test(sourceClient.secret))
        secret = sourceClient.secret
      else
        note(
          report,
          'its secret hash cannot be verified: rotate it with client:rotate-secret',
          sourceClient.id
        )
    }
    const ownerId =
      sourceClient.ownerId !== null && importedUsers.has(sourceClient.ownerId)
        ? sourceClient.ownerId
        : null
    const wanted = columnsOf(fields, secret, ownerId, sourceClient)
    const digests = digestFields({ ...wanted, secret: sourceClient.secret })
    const existing = here.get(sourceClient.id)
    const entry = ledger.get(sourceClient.id)
    importedClients.add(sourceClient.id)
    ledger.record(entries, sourceClient.id, sourceClient.id, digests)

    if (!existing) {
      writes.insert('oidc_clients', {
        id: sourceClient.id,
        ...wanted,
        post_logout_redirect_uris: '',
        backchannel_logout_uri: null,
        updated_at: sqlTime(),
      })
      report.created++
      continue
    }
    const current = columnsHere(existing, wanted)
    const candidates = entry
      ? changedFields(entry, digests)
      : Object.keys(wanted).filter((field) => field !== 'secret' && field !== 'created_at')
    const fieldsToWrite = candidates.filter(
      (field) => wanted[field as keyof ClientColumns] !== current[field as keyof ClientColumns]
    )
    if (!fieldsToWrite.length) {
      report.unchanged++
      continue
    }
    const changes = Object.fromEntries(
      fieldsToWrite.map((field) => [field, wanted[field as keyof ClientColumns]])
    )
    writes.run((target) =>
      target
        .from('oidc_clients')
        .where('id', sourceClient.id)
        .update({ ...changes, updated_at: sqlTime() })
    )
    report.updated++
  }
  const gone = ledger.goneKeys(new Set(source.clients.map((sourceClient) => sourceClient.id)))
  for (const key of gone)
    note(
      report,
      'imported before, no longer in the source: left here (client:delete removes it)',
      key
    )
  plan.append(writes)
  plan.append(entries)
}
