/**
 * The ledger of imported rows (table `allauth_imported_rows`): per source
 * database and source row, the row it became here and a digest of each of
 * its source fields at the last import. A later run compares digests, so it
 * writes only the fields the source changed: whatever changed here since (a
 * password rehashed at sign-in, a client's post-logout URIs) stays, and a row
 * created here, not imported, is told apart from one that was.
 *
 * A source database is known by its fingerprint (source_readers.ts): rows
 * imported from another database are never updated, removed or revoked by
 * this one's import.
 */
import { createHash } from 'node:crypto'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { sqlTime } from '#models/columns'
import type { WritePlan } from '#services/allauth_import/write_plan'

export type Digests = Record<string, string>
export type LedgerEntry = { id: number; targetKey: string; digests: Digests }

const TABLE = 'allauth_imported_rows'

/** A short digest of each field's source value */
export function digestFields(values: Record<string, unknown>): Digests {
  return Object.fromEntries(
    Object.entries(values).map(([field, value]) => [
      field,
      createHash('sha256')
        .update(JSON.stringify(value ?? null))
        .digest('hex')
        .slice(0, 16),
    ])
  )
}

/** The fields whose source value differs from the last import (every field when there was none) */
export function changedFields(entry: LedgerEntry | undefined, digests: Digests) {
  return Object.keys(digests).filter((field) => entry?.digests[field] !== digests[field])
}

/** The entries of one source table of one source database */
export class Ledger {
  constructor(
    readonly entries: Map<string, LedgerEntry>,
    private readonly sourceId: string,
    private readonly sourceTable: string
  ) {}

  static async load(client: QueryClientContract, sourceId: string, sourceTable: string) {
    const rows = await client
      .from(TABLE)
      .select('id', 'source_key', 'target_key', 'digests')
      .where('source_id', sourceId)
      .where('source_table', sourceTable)
    const entries = new Map<string, LedgerEntry>(
      rows.map((row) => [
        String(row.source_key),
        { id: Number(row.id), targetKey: String(row.target_key), digests: JSON.parse(row.digests) },
      ])
    )
    return new Ledger(entries, sourceId, sourceTable)
  }

  get(sourceKey: string) {
    return this.entries.get(sourceKey)
  }

  /** The source keys imported before that the source no longer has */
  goneKeys(present: Set<string>) {
    return [...this.entries.keys()].filter((key) => !present.has(key))
  }

  /** Records (or updates) the entry of a source row once the plan is applied */
  record(plan: WritePlan, sourceKey: string, targetKey: string, digests: Digests) {
    const entry = this.entries.get(sourceKey)
    const values = {
      target_key: targetKey,
      digests: JSON.stringify(digests),
      imported_at: sqlTime(),
    }
    if (!entry) {
      plan.insert(TABLE, {
        source_id: this.sourceId,
        source_table: this.sourceTable,
        source_key: sourceKey,
        ...values,
      })
    } else if (entry.targetKey !== targetKey || changedFields(entry, digests).length) {
      plan.run((client) => client.from(TABLE).where('id', entry.id).update(values))
    }
  }

  forget(plan: WritePlan, entry: LedgerEntry) {
    plan.run((client) => client.from(TABLE).where('id', entry.id).delete())
  }
}
