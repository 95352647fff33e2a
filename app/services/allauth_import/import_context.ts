/**
 * What the steps of one import share: the source rows, the target database
 * (the transaction of a real run), the writes planned so far, the report,
 * and which source users and clients exist here once the plan is applied.
 */
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { SourceRows } from '#services/allauth_import/source_rows'
import type { ImportReport } from '#services/allauth_import/import_report'
import type { WritePlan } from '#services/allauth_import/write_plan'

export type ImportContext = {
  source: SourceRows
  /** The source database's fingerprint, which the ledger keeps its rows under */
  sourceId: string
  client: QueryClientContract
  plan: WritePlan
  report: ImportReport
  /** Source user ids that are (or will be) users here, with the same id */
  importedUsers: Set<number>
  /** Source client ids that are (or will be) clients here */
  importedClients: Set<string>
}
