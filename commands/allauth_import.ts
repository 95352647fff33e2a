import { args, flags } from '@adonisjs/core/ace'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { importFromAllauth } from '#services/allauth_import/import_from_allauth'
import { ImportInputError } from '#services/allauth_import/import_errors'
import {
  describeReport,
  importSummary,
  type ImportReport,
} from '#services/allauth_import/import_report'

export default class AllauthImport extends AdminCommand {
  static commandName = 'allauth:import'
  static description =
    "Bring an allauth site's users, passwords, addresses, clients and live tokens over (docs/allauth-migration.md)"

  @args.string({
    description:
      'The Django database: sqlite:///abs/path.sqlite3, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db',
  })
  declare databaseUrl: string

  @flags.boolean({ description: 'Report what would change and write nothing' })
  declare dryRun: boolean

  protected async execute() {
    let report: ImportReport
    try {
      report = await importFromAllauth(this.databaseUrl, { dryRun: Boolean(this.dryRun) })
    } catch (error) {
      if (error instanceof ImportInputError) throw new AdminInputError(error.message)
      throw error
    }
    /* a dry run changes nothing; the summary holds counts, never the source URL or a row */
    if (!report.dry_run) await this.audit('admin.allauth_imported', { data: importSummary(report) })
    return report
  }

  protected describe(report: ImportReport) {
    return describeReport(report)
  }
}
