/**
 * Device authorization (RFC 8628, endpoints.md §8-9, data.md §7): creating a
 * device code with its user code, finding a pending one by what a person
 * typed, and recording the decision atomically.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'
import OidcDeviceCode from '#models/oidc_device_code'
import oidcConfig from '#config/oidc'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { sqlTime } from '#models/columns'
import { randomValue } from '#services/oidc/protocol/random'
import { affectedRows } from '#services/oidc/tokens/families'
import { normaliseUserCode } from '#services/oidc/device/user_code'

const MAX_USER_CODE_ATTEMPTS = 5

function isUniqueViolation(error: unknown) {
  const code = (error as { code?: string }).code
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
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
  if (!userCode) return null
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
  approve: boolean
) {
  const now = sqlTime()
  const changed = await db
    .from('oidc_device_codes')
    .where('id', code.id)
    .where('status', 'pending')
    .where('expires_at', '>', now)
    .update({
      status: approve ? 'approved' : 'denied',
      user_id: user.id,
      auth_time: authTime,
      decided_at: now,
    })
  return affectedRows(changed) === 1
}
