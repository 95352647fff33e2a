/**
 * The worked example of README "Customising claims" (docs/adapter.md#replacing-the-adapter): a
 * `groups` claim with its consent label, and a tenant claim on JWT access
 * tokens. Enable it with IDP_OIDC_ADAPTER=#services/groups_oidc_adapter.
 */
import {
  DefaultOidcAdapter,
  type AccessTokenContext,
  type Claims,
  type ClaimsPurpose,
} from '#services/oidc/adapter/adapter'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'

export default class GroupsOidcAdapter extends DefaultOidcAdapter {
  get scopeDisplay() {
    return { ...super.scopeDisplay, groups: 'View your groups' }
  }

  async getClaims(
    purpose: ClaimsPurpose,
    user: User,
    client: OidcClient,
    scopes: string[],
    email?: string | null
  ) {
    const claims = await super.getClaims(purpose, user, client, scopes, email)
    if (scopes.includes('groups')) {
      claims.groups = (user.profile?.groups as string[] | undefined) ?? []
    }
    return claims
  }

  populateAccessToken(claims: Claims, { user }: AccessTokenContext) {
    if (user) claims.tenant = 'acme'
  }
}
