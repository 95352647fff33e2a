/**
 * PKCE at the token endpoint (RFC 7636 §4.6, RFC 9700 §2.1.1, endpoints.md
 * §4.1 step 8).
 */
import { createHash } from 'node:crypto'
import { InvalidGrant, InvalidRequest } from '#services/oidc/protocol/errors'
import { constantTimeEqual } from '#services/oidc/protocol/random'

const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

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
