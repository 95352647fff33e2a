/**
 * Device authorization (RFC 8628, docs/endpoints.md#device-authorization-endpoint, docs/data-model.md#device-codes-oidc_device_codes), and the one
 * owner of `oidc_device_codes`: creating a device code with its user code,
 * finding a pending one by what a person typed, recording the decision and
 * the device's polls, and redeeming an approved code once.
 */
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { WriteTransaction } from '#database/statements'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'
import OidcDeviceCode from '#models/oidc_device_code'
import oidcConfig from '#config/oidc'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { sqlTime } from '#models/columns'
import { randomValue } from '#services/oidc/protocol/random'
import { affectedRows, changeRows, deleteInBatches } from '#database/statements'
import { normaliseUserCode } from '#services/oidc/protocol/user_code'
import { isStorableText } from '#database/storable_text'

const TABLE = 'oidc_device_codes'
const MAX_USER_CODE_ATTEMPTS = 5

/* MySQL, SQLite and PostgreSQL (SQLSTATE 23505) name it each their own way */
const UNIQUE_VIOLATION_CODES = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', '23505'])

function isUniqueViolation(error: unknown) {
  return UNIQUE_VIOLATION_CODES.has((error as { code?: string }).code ?? '')
}

/** Creates a device code; a user code that collides with any row, expired ones included, is drawn again */
export async function createDeviceCode(adapter: OidcAdapter, client: OidcClient, scopes: string[]) {
  const deviceCode = randomValue(32)
  for (let attempt = 1; ; attempt++) {
    const userCode = adapter.generateUserCode()
    try {
      await OidcDeviceCode.create({
        deviceCodeHash: adapter.hashToken(deviceCode),
        userCode: normaliseUserCode(userCode),
        clientId: client.id,
        scopes,
        status: 'pending',
        userId: null,
        authTime: null,
        interval: oidcConfig.deviceCodeInterval,
        lastPolledAt: null,
        expiresAt: DateTime.utc().plus({ seconds: oidcConfig.deviceCodeExpiresIn }),
        decidedAt: null,
      })
      return { deviceCode, userCode }
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= MAX_USER_CODE_ATTEMPTS) throw error
    }
  }
}

/** The pending, unexpired device code a person's typed code names, or null */
export async function findPendingDeviceCode(typed: string): Promise<OidcDeviceCode | null> {
  const userCode = normaliseUserCode(typed)
  if (!userCode || !isStorableText(userCode)) return null
  return OidcDeviceCode.query()
    .where('user_code', userCode)
    .where('status', 'pending')
    .where('expires_at', '>', sqlTime())
    .first()
}

/** Approves or denies atomically; false when the code was no longer pending */
export async function decideDeviceCode(
  code: OidcDeviceCode,
  user: User,
  authTime: number,
  amr: AuthenticationMethod[],
  approve: boolean
) {
  const now = sqlTime()
  const changed = await db
    .from(TABLE)
    .where('id', code.id)
    .where('status', 'pending')
    .where('expires_at', '>', now)
    .update({
      status: approve ? 'approved' : 'denied',
      user_id: user.id,
      auth_time: authTime,
      amr: amr.join(' '),
      decided_at: now,
    })
  return affectedRows(changed) === 1
}

export function findDeviceCode(deviceCodeHash: string) {
  return OidcDeviceCode.findBy('device_code_hash', deviceCodeHash)
}

/** RFC 8628 §3.5: each slow_down adds 5 s to the interval */
const SLOW_DOWN_STEP_SECONDS = 5

/** Records the poll; true when it came sooner than the code's interval allows */
export async function recordPoll(code: OidcDeviceCode): Promise<boolean> {
  const now = DateTime.utc()
  const tooSoon = !!code.lastPolledAt && now < code.lastPolledAt.plus({ seconds: code.interval })
  const update: Record<string, unknown> = { last_polled_at: sqlTime(now) }
  if (tooSoon) update.interval = db.raw('?? + ?', ['interval', SLOW_DOWN_STEP_SECONDS])
  await db.from(TABLE).where('id', code.id).update(update)
  return tooSoon
}

/** Spends an approved code; false when it was redeemed already */
export async function consumeDeviceCode(id: number, trx: WriteTransaction) {
  const sql = `update ${TABLE} set status = 'consumed' where id = ? and status = 'approved'`
  return (await changeRows(sql, [id], trx)) === 1
}

/** Codes stay a day past expiry, so that a late poll still gets expired_token */
export function pruneDeviceCodes(now: DateTime) {
  return deleteInBatches(TABLE, (query) =>
    query.where('expires_at', '<', sqlTime(now.minus({ days: 1 })))
  )
}
