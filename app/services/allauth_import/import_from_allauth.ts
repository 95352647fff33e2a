/**
 * `allauth:import`: reads an allauth site's Django database (one snapshot,
 * source_database.ts), plans every write step by step (users, their email
 * addresses, clients, tokens, authenticators) and applies the plan in one
 * transaction, so a failure writes nothing. A dry run plans and reports only.
 * Running it again writes only what the source changed (ledger.ts).
 */
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { ImportInputError } from '#services/allauth_import/import_errors'
import type { ImportContext } from '#services/allauth_import/import_context'
import { emptyTableReport, type ImportReport } from '#services/allauth_import/import_report'
import { parseSourceUrl, readSource } from '#services/allauth_import/source_database'
import { checkSourceSchema } from '#services/allauth_import/source_schema'
import {
  readAuthenticators,
  readClients,
  readEmailAddresses,
  readMigrations,
  readTokens,
  readUsers,
} from '#services/allauth_import/source_readers'
import type { SourceRows } from '#services/allauth_import/source_rows'
import { importUsers } from '#services/allauth_import/import_users'
import { importEmailAddresses } from '#services/allauth_import/import_email_addresses'
import { importClients } from '#services/allauth_import/import_clients'
import { importTokens } from '#services/allauth_import/import_tokens'
import { importAuthenticators } from '#services/allauth_import/import_authenticators'
import { WritePlan } from '#services/allauth_import/write_plan'

/* In order: addresses, clients and tokens refer to the users and clients before them */
const STEPS = [importUsers, importEmailAddresses, importClients, importTokens, importAuthenticators]

export async function importFromAllauth(
  url: string,
  options: { dryRun: boolean }
): Promise<ImportReport> {
  const location = parseSourceUrl(url)
  const source = await readSource(location, async (client, columns): Promise<SourceRows> => {
    checkSourceSchema(columns, location.label)
    return {
      migrations: await readMigrations(client),
      users: await readUsers(client),
      emailAddresses: await readEmailAddresses(client),
      clients: await readClients(client, columns),
      tokens: await readTokens(client),
      authenticators: await readAuthenticators(client, columns),
    }
  })
  const report: ImportReport = {
    source: {
      dialect: location.dialect,
      database: location.label,
      fingerprint: source.migrations.fingerprint,
      migrations: source.migrations.latest,
    },
    dry_run: options.dryRun,
    tables: {
      auth_user: emptyTableReport(),
      account_emailaddress: emptyTableReport(),
      allauth_idp_oidc_client: emptyTableReport(),
      allauth_idp_oidc_token: emptyTableReport(),
      mfa_authenticator: emptyTableReport(),
    },
  }

  const planAndApply = async (client: QueryClientContract) => {
    const context: ImportContext = {
      source,
      sourceId: source.migrations.fingerprint,
      client,
      plan: new WritePlan(),
      report,
      importedUsers: new Set(),
      importedClients: new Set(),
    }
    for (const step of STEPS) await step(context)
    if (!options.dryRun) await context.plan.apply(client)
  }
  try {
    if (options.dryRun) await planAndApply(db.connection())
    else await db.transaction(planAndApply)
  } catch (error) {
    if (error instanceof ImportInputError) throw error
    /* the transaction rolled back */
    throw new ImportInputError(
      `the import failed and wrote nothing: ${(error as Error).message.split('\n')[0]}`
    )
  }
  return report
}
