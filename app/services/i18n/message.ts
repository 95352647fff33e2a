/**
 * A sentence for the person reading a page, not yet in any language: a
 * translation key and the values it inserts. Services and controllers hand
 * messages to views (also through flash messages), which write them in the
 * page's language with `t(message.key, message.values)`.
 */
export type Message = { key: string; values?: Record<string, string | number> }

export const message = (key: string, values?: Message['values']): Message =>
  values ? { key, values } : { key }
