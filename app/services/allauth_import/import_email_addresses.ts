/**
 * account_emailaddress (and auth_user.email) → email_addresses, with their
 * verified and primary flags. Addresses are unique here, lower-cased, while
 * allauth keeps only verified ones unique (and not even those on MySQL,
 * where Django cannot create its partial unique index). When one address
 * belongs to several source users, one keeps it: the verified one, else the
 * one for whom it is primary, else the oldest row; the others are skipped with
 * the name of the user who kept it, and nothing else of theirs changes.
 *
 * A user whose auth_user.email has no address row (made by createsuperuser,
 * say) gets it as an unverified, non-primary address: they can still sign in
 * with it, as at allauth, and their claims stay as allauth gave them.
 *
 * The ledger key is the address itself; an address imported before and gone
 * from the source is deleted here.
 */
import { sqlTime } from '#models/columns'
import type { ImportContext } from '#services/allauth_import/import_context'
import { note, skip } from '#services/allauth_import/import_report'
import { changedFields, digestFields, Ledger } from '#services/allauth_import/ledger'
import { asBoolean } from '#services/allauth_import/source_values'
import { WritePlan } from '#services/allauth_import/write_plan'

type Candidate = {
  email: string
  userId: number
  verified: boolean
  primary: boolean
  /** The account_emailaddress id, or the auth_user.email marker; what the report names */
  key: string
  rank: number[]
}

/* What a user enters as an address; the same rule as user:create */
const EMAIL = /^[^\s@]+@[^\s@]+$/

/** The source's addresses as candidates, the auth_user.email ones after the user's rows */
function candidates(context: ImportContext) {
  const report = context.report.tables.account_emailaddress
  const found: Candidate[] = []
  const add = (candidate: Omit<Candidate, 'email' | 'rank'>, email: string, order: number) => {
    const address = email.trim().toLowerCase()
    if (!context.importedUsers.has(candidate.userId))
      return skip(report, 'its user was not imported', candidate.key)
    if (address.length > 254 || !EMAIL.test(address))
      return skip(report, 'not an email address', candidate.key)
    /* verified first, then primary, then account_emailaddress rows, then the oldest */
    const rank = [candidate.verified ? 0 : 1, candidate.primary ? 0 : 1, order]
    found.push({ ...candidate, email: address, rank })
  }
  for (const row of context.source.emailAddresses) {
    add(
      { userId: row.userId, verified: row.verified, primary: row.primary, key: String(row.id) },
      row.email,
      row.id
    )
  }
  const rowsOf = new Set(found.map((candidate) => `${candidate.userId} ${candidate.email}`))
  for (const user of context.source.users) {
    const email = user.email.trim().toLowerCase()
    if (!email || rowsOf.has(`${user.id} ${email}`) || !context.importedUsers.has(user.id)) continue
    const key = `auth_user.email of user ${user.id}`
    add({ userId: user.id, verified: false, primary: false, key }, email, Number.MAX_SAFE_INTEGER)
  }
  return found
}

const byRank = (a: Candidate, b: Candidate) =>
  a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]

/** One holder per address, and at most one primary address per user */
function holders(context: ImportContext) {
  const report = context.report.tables.account_emailaddress
  const kept = new Map<string, Candidate>()
  for (const candidate of candidates(context).sort(byRank)) {
    const holder = kept.get(candidate.email)
    if (!holder) kept.set(candidate.email, candidate)
    else if (holder.userId === candidate.userId)
      skip(report, 'the same address twice for one user', candidate.key)
    else
      skip(report, `the address also belongs to user ${holder.userId}, who keeps it`, candidate.key)
  }
  const primaryOf = new Map<number, string>()
  for (const candidate of [...kept.values()].sort((a, b) => a.rank[2] - b.rank[2])) {
    if (!candidate.primary) continue
    if (!primaryOf.has(candidate.userId)) primaryOf.set(candidate.userId, candidate.email)
    else {
      candidate.primary = false
      note(report, "a user's second primary address, imported as not primary", candidate.key)
    }
  }
  return { kept, primaryOf }
}

export async function importEmailAddresses(context: ImportContext) {
  const { client, plan } = context
  const report = context.report.tables.account_emailaddress
  const ledger = await Ledger.load(client, context.sourceId, 'account_emailaddress')
  const rows: Record<string, any>[] = await client.from('email_addresses').select('*')
  const here = new Map(rows.map((row) => [row.email as string, row]))
  const { kept, primaryOf } = holders(context)

  const deletions = new WritePlan()
  const writes = new WritePlan()
  const entries = new WritePlan()
  for (const [email, entry] of ledger.entries) {
    if (kept.has(email)) continue
    if (here.has(email)) {
      deletions.run((target) => target.from('email_addresses').where('email', email).delete())
      report.removed++
    }
    ledger.forget(entries, entry)
  }
  /* a new primary address takes over from one set here */
  for (const [userId, email] of primaryOf) {
    const other = [...here.values()].some(
      (row) => Number(row.user_id) === userId && asBoolean(row.primary) && row.email !== email
    )
    if (other)
      writes.run((target) =>
        target
          .from('email_addresses')
          .where('user_id', userId)
          .whereNot('email', email)
          .update({ primary: 0 })
      )
  }
  for (const candidate of kept.values()) {
    const { email, userId } = candidate
    const wanted = {
      user_id: userId,
      verified: candidate.verified ? 1 : 0,
      primary: candidate.primary ? 1 : 0,
    }
    const existing = here.get(email)
    const entry = ledger.get(email)
    if (existing && !entry && Number(existing.user_id) !== userId) {
      skip(
        report,
        `the address belongs to user ${existing.user_id} here, who was not imported`,
        candidate.key
      )
      continue
    }
    const digests = digestFields(wanted)
    ledger.record(entries, email, email, digests)
    if (!existing) {
      writes.insert('email_addresses', { email, ...wanted, created_at: sqlTime() })
      report.created++
      continue
    }
    const current = {
      user_id: Number(existing.user_id),
      verified: asBoolean(existing.verified) ? 1 : 0,
      primary: asBoolean(existing.primary) ? 1 : 0,
    }
    const fields = (entry ? changedFields(entry, digests) : Object.keys(wanted)).filter(
      (field) => wanted[field as keyof typeof wanted] !== current[field as keyof typeof current]
    )
    if (!fields.length) {
      report.unchanged++
      continue
    }
    const changes = Object.fromEntries(
      fields.map((field) => [field, wanted[field as keyof typeof wanted]])
    )
    writes.run((target) => target.from('email_addresses').where('id', existing.id).update(changes))
    report.updated++
  }
  plan.append(deletions)
  plan.append(writes)
  plan.append(entries)
}
