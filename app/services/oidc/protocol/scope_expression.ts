/**
 * allauth's scope expressions for protecting API routes (docs/tokens.md#protecting-your-own-api):
 * `undefined` or `[]` any token; `'a'` one scope; `['a','b']` all of them;
 * `[['a','b'],['c']]` any inner list in full; `{ GET: expr, … }` by method.
 */
export type ScopeList = string | string[] | string[][]
export type ScopeExpression = ScopeList | Partial<Record<string, ScopeList>> | undefined

function alternatives(list: ScopeList): string[][] {
  if (typeof list === 'string') return [[list]]
  if (list.length === 0) return [[]]
  return Array.isArray(list[0]) ? (list as string[][]) : [list as string[]]
}

/**
 * The scopes still missing for `granted` to satisfy the expression: null when
 * satisfied; otherwise the first alternative (for WWW-Authenticate's `scope`).
 * A method with no entry in a per-method expression is never satisfied.
 */
export function missingScopes(
  expression: ScopeExpression,
  method: string,
  granted: string[]
): string[] | null {
  if (expression === undefined) return null
  let list: ScopeList | undefined
  if (typeof expression === 'string' || Array.isArray(expression)) list = expression
  else list = expression[method.toUpperCase()]
  if (list === undefined) return []
  const options = alternatives(list)
  if (options.some((option) => option.every((scope) => granted.includes(scope)))) return null
  return options[0]
}
