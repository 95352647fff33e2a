/**
 * PostgreSQL text cannot hold U+0000 (the server refuses the whole query),
 * while SQLite and MySQL store it. Nothing the app stores holds one, so a
 * lookup by such a value finds nothing, as it would on the other databases.
 */
export function isStorableText(value: string) {
  return !value.includes('\u0000')
}
