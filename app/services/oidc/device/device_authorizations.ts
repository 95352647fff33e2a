/**
 * The devices a person has let in with the device grant: one per token family
 * that still holds a usable token (its access token, or a refresh token not
 * yet rotated), and revoking one, which ends its whole family. A device
 * approval leaves no consent, so these are listed beside the consents on
 * /accounts/grants/.
 */
import type { DateTime } from 'luxon'
import OidcToken from '#models/oidc_token'
import { sqlTime } from '#models/columns'
import { revokeFamily } from '#services/oidc/tokens/token_store'
import { isStorableText } from '#database/storable_text'

export type DeviceAuthorization = {
  familyId: string
  clientId: string
  scopes: string[]
  authorizedAt: DateTime
  /** When its last token expires; null when one never does */
  expiresAt: DateTime | null
}

function liveDeviceTokens(userId: number) {
  const now = sqlTime()
  return OidcToken.query()
    .where('user_id', userId)
    .where('from_device', true)
    .whereNull('revoked_at')
    .where((live) => live.whereNull('expires_at').orWhere('expires_at', '>', now))
    .where((usable) => usable.where('type', 'at').orWhereNull('rotated_at'))
}

/** The user's device authorizations, the most recent first */
export async function listDeviceAuthorizations(userId: number): Promise<DeviceAuthorization[]> {
  const families = new Map<string, DeviceAuthorization>()
  for (const token of await liveDeviceTokens(userId).orderBy('created_at', 'asc')) {
    const known = families.get(token.familyId)
    if (!known) {
      families.set(token.familyId, {
        familyId: token.familyId,
        clientId: token.clientId,
        scopes: token.scopes,
        authorizedAt: token.createdAt,
        expiresAt: token.expiresAt,
      })
      continue
    }
    /* a refresh token holds the family's full scopes; an access token may have fewer */
    if (token.type === 'rt') known.scopes = token.scopes
    if (!known.expiresAt || !token.expiresAt) known.expiresAt = null
    else if (token.expiresAt > known.expiresAt) known.expiresAt = token.expiresAt
  }
  return [...families.values()].reverse()
}

/** Ends one of the user's device authorizations; anything else (another user's family) is left alone */
export async function revokeDeviceAuthorization(userId: number, familyId: string) {
  if (!isStorableText(familyId)) return
  const own = await OidcToken.query()
    .where('user_id', userId)
    .where('family_id', familyId)
    .where('from_device', true)
    .first()
  if (own) await revokeFamily(familyId)
}
