/**
 * PKCE (RFC 7636, RFC 9700 §2.1.1): the challenge at the authorization
 * endpoint (docs/endpoints.md#authorization-request-checks) and the verifier at the token endpoint
 * (docs/endpoints.md#authorization_code-grant).
 */
import { createHash } from 'node:crypto'
import type OidcClient from '#models/oidc_client'
import { InvalidGrant, InvalidRequest } from '#services/oidc/protocol/errors'
import { constantTimeEqual } from '#services/oidc/protocol/random'

/** RFC 7636 §4.1 and §4.2: the verifier and the challenge share one syntax */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

export type CodeChallenge = {
  codeChallenge: string | null
  codeChallengeMethod: 'S256' | 'plain' | null
}

/** A code request's challenge: required of public clients; plain only when allowed */
export function checkCodeChallenge(
  client: OidcClient,
  params: Record<string, string>,
  allowPlain: boolean
): CodeChallenge {
  const challenge = params.code_challenge ?? null
  if (!challenge) {
    if (client.isPublic) throw new InvalidRequest('Code challenge required.')
    return { codeChallenge: null, codeChallengeMethod: null }
  }
  const method = params.code_challenge_method ?? 'plain'
  if (method !== 'S256' && method !== 'plain')
    throw new InvalidRequest('Transform algorithm not supported.')
  if (method === 'plain' && !allowPlain)
    throw new InvalidRequest('Code challenge method plain is not allowed; use S256.')
  if (!CODE_VERIFIER.test(challenge)) throw new InvalidRequest('Invalid code_challenge parameter.')
  return { codeChallenge: challenge, codeChallengeMethod: method }
}

export function checkCodeVerifier(
  challenge: string | null,
  method: string | null,
  verifier: string | undefined
) {
  if (!challenge) {
    /* a verifier for a code issued without a challenge is refused (RFC 9700 §4.8.2) */
    if (verifier !== undefined) throw new InvalidGrant('Code verifier without code challenge.')
    return
  }
  if (verifier === undefined) throw new InvalidRequest('Code verifier required.')
  if (!CODE_VERIFIER.test(verifier)) throw new InvalidGrant('Invalid code verifier.')
  const computed =
    method === 'plain'
      ? verifier
      : createHash('sha256').update(verifier, 'ascii').digest('base64url')
  if (!constantTimeEqual(computed, challenge)) throw new InvalidGrant('Invalid code verifier.')
}
