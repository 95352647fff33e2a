/**
 * What an import did (or, with --dry-run, would do), per source table:
 * rows created, updated, unchanged, removed (an address deleted or a token
 * revoked because the source no longer has it) and skipped, each skip with
 * its reason, plus notes on rows imported with a change (a password the user
 * must reset, …). Reasons carry a few example source keys, never secrets.
 */
import type { SourceTable } from '#services/allauth_import/source_schema'

const MAX_EXAMPLES = 10

export type Reason = { reason: string; count: number; examples: string[] }

export type TableReport = {
  created: number
  updated: number
  unchanged: number
  removed: number
  skipped: Reason[]
  notes: Reason[]
}

export type ImportReport = {
  source: {
    dialect: string
    database: string
    /** Tells this database from another one (the ledger's source_id) */
    fingerprint: string
    /** The latest applied migration of auth, account, allauth_idp_oidc and mfa */
    migrations: Record<string, string>
  }
  dry_run: boolean
  tables: Record<SourceTable | 'mfa_authenticator', TableReport>
}

/** The counts of each table, for the audit event of an import: no row, key or example */
export function importSummary(report: ImportReport) {
  return {
    source: { dialect: report.source.dialect, fingerprint: report.source.fingerprint },
    tables: Object.fromEntries(
      Object.entries(report.tables).map(([table, counts]) => [
        table,
        {
          created: counts.created,
          updated: counts.updated,
          unchanged: counts.unchanged,
          removed: counts.removed,
          skipped: counts.skipped.reduce((sum, reason) => sum + reason.count, 0),
        },
      ])
    ),
  }
}

export function emptyTableReport(): TableReport {
  return { created: 0, updated: 0, unchanged: 0, removed: 0, skipped: [], notes: [] }
}

function count(reasons: Reason[], reason: string, key: string | number) {
  let entry = reasons.find((candidate) => candidate.reason === reason)
  if (!entry) reasons.push((entry = { reason, count: 0, examples: [] }))
  entry.count++
  if (entry.examples.length < MAX_EXAMPLES) entry.examples.push(String(key))
}

export function skip(report: TableReport, reason: string, key: string | number) {
  count(report.skipped, reason, key)
}

export function note(report: TableReport, reason: string, key: string | number) {
  count(report.notes, reason, key)
}

const sum = (reasons: Reason[]) => reasons.reduce((total, entry) => total + entry.count, 0)

function describeReasons(label: string, reasons: Reason[]) {
  return reasons.map(
    (entry) =>
      `    ${label} ${entry.count}: ${entry.reason} (${entry.examples.join(', ')}${entry.count > entry.examples.length ? ', …' : ''})`
  )
}

/** The human form of the report */
export function describeReport(report: ImportReport) {
  const lines = [
    `${report.dry_run ? 'Dry run, nothing written: would import' : 'Imported'} from ${report.source.dialect} ${report.source.database}`,
  ]
  const migrations = Object.entries(report.source.migrations).map(([app, name]) => `${app} ${name}`)
  lines.push(`  source migrations: ${migrations.join(', ')}`)
  for (const [table, entry] of Object.entries(report.tables)) {
    const counts = [
      `created ${entry.created}`,
      `updated ${entry.updated}`,
      `unchanged ${entry.unchanged}`,
      ...(entry.removed ? [`removed ${entry.removed}`] : []),
      `skipped ${sum(entry.skipped)}`,
    ]
    lines.push(`  ${table}: ${counts.join(', ')}`)
    lines.push(
      ...describeReasons('skipped', entry.skipped),
      ...describeReasons('note', entry.notes)
    )
  }
  return lines.join('\n')
}
