import { defaultErrorDescription } from '#services/oidc/protocol/errors'

/** The JSON body of an OAuth error raised without a description of its own */
export function errorBody(error: string, extra: Record<string, string> = {}) {
  return { error, error_description: defaultErrorDescription(error), ...extra }
}
