/**
 * An authorization response (success or error) for a redirect URI that has
 * already matched, and how it travels in its response mode (docs/endpoints.md#authorization-responses): query or fragment in a redirect (302, or 303 after a POST), or
 * form_post as an auto-submitting page.
 */
import type { ResponseMode } from '#services/oidc/protocol/errors'

/** Where an authorization response goes */
export type ResponseTarget = {
  redirectUri: string
  responseMode: ResponseMode
  answersPost: boolean
}

export type AuthorizationResponse = { target: ResponseTarget; params: Record<string, string> }

export type ResponseDelivery =
  | { kind: 'redirect'; status: 302 | 303; location: string }
  | { kind: 'form_post'; action: string; fields: [string, string][] }

export function responseDelivery({ target, params }: AuthorizationResponse): ResponseDelivery {
  if (target.responseMode === 'form_post') {
    return { kind: 'form_post', action: target.redirectUri, fields: Object.entries(params) }
  }
  const url = new URL(target.redirectUri)
  if (target.responseMode === 'query') {
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  } else {
    url.hash = new URLSearchParams(params).toString()
  }
  return { kind: 'redirect', status: target.answersPost ? 303 : 302, location: url.href }
}
