/** A hidden form field holding JSON (a WebAuthn answer); anything unreadable counts as no answer */
export function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string' || value.length > 65536) return null
  try {
    return JSON.parse(value)
  } catch {
    return null
  }
}

/** JSON for <script type="application/json">, `<` escaped so that no value can close the element */
export const scriptJson = (data: unknown) => JSON.stringify(data).replace(/</g, '\\u003c')
