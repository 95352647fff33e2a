/**
 * Strict reading of OAuth parameters from a query string or a form body.
 * Unlike the framework's parser it keeps repeated names (so they can be
 * refused) and fails on bad percent-encoding or non-UTF-8 bytes instead of
 * guessing (docs/endpoints.md#api-request-format).
 */
import { InvalidRequest } from '#services/oidc/protocol/errors'

export type RawParams = Map<string, string[]>

export class ParameterDecodeError extends Error {}

export function decodeParams(text: string): RawParams {
  const params: RawParams = new Map()
  if (!text) return params
  /* the body reader turns bytes that are not UTF-8 into U+FFFD; encoded text never holds it raw */
  if (text.includes('\uFFFD')) throw new ParameterDecodeError()
  for (const pair of text.split('&')) {
    if (!pair) continue
    const separator = pair.indexOf('=')
    const [rawName, rawValue] =
      separator === -1 ? [pair, ''] : [pair.slice(0, separator), pair.slice(separator + 1)]
    let name: string
    let value: string
    try {
      name = decodeURIComponent(rawName.replaceAll('+', ' '))
      value = decodeURIComponent(rawValue.replaceAll('+', ' '))
    } catch {
      throw new ParameterDecodeError()
    }
    params.set(name, [...(params.get(name) ?? []), value])
  }
  return params
}

/** Single values; an empty value counts as absent (docs/endpoints.md#api-request-format) */
export function singleValues(params: RawParams): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, values] of params) if (values[0] !== '') result[name] = values[0]
  return result
}

/** The first name among `names` that appears more than once, if any */
export function firstDuplicate(params: RawParams, names?: Iterable<string>): string | null {
  for (const name of names ?? params.keys()) if ((params.get(name)?.length ?? 0) > 1) return name
  return null
}

/** A request as the form-body API endpoints read it */
export type ApiRequestText = { url: string; contentType: string | undefined; body: string | null }

/** The media type of a Content-Type header, lower-cased, without parameters */
export function mediaType(contentType: string | undefined) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/** docs/endpoints.md#api-request-format: no query string, a form Content-Type */
export function checkApiRequest({ url, contentType }: Omit<ApiRequestText, 'body'>) {
  if (url.includes('?')) throw new InvalidRequest('URL query parameters are not allowed')
  if (mediaType(contentType) !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequest('Content-Type must be application/x-www-form-urlencoded')
  }
}

/**
 * The API endpoints (token, revoke, introspect, device code) read parameters
 * only from a form body; these checks run first, in order (docs/endpoints.md#api-request-format).
 */
export function readApiForm(request: ApiRequestText): Record<string, string> {
  checkApiRequest(request)
  let params: RawParams
  try {
    params = decodeParams(request.body ?? '')
  } catch {
    throw new InvalidRequest('The request body is not valid form encoding.')
  }
  const duplicate = firstDuplicate(params)
  if (duplicate) throw new InvalidRequest(`Duplicate ${duplicate} parameter.`)
  return singleValues(params)
}
