/** The admin console's pages (docs/admin.md); every one ends with a slash, as allauth's do */
export const CONSOLE_ROOT = '/admin/'

export const CONSOLE_PATHS = {
  home: CONSOLE_ROOT,
  clients: `${CONSOLE_ROOT}clients/`,
  newClient: `${CONSOLE_ROOT}clients/new/`,
  users: `${CONSOLE_ROOT}users/`,
  keys: `${CONSOLE_ROOT}keys/`,
  events: `${CONSOLE_ROOT}events/`,
} as const

const encoded = (id: string | number) => encodeURIComponent(String(id))

export const clientPath = (id: string) => `${CONSOLE_PATHS.clients}${encoded(id)}/`
export const editClientPath = (id: string) => `${clientPath(id)}edit/`
export const rotateSecretPath = (id: string) => `${clientPath(id)}secret/`
export const deleteClientPath = (id: string) => `${clientPath(id)}delete/`
export const userPath = (id: number) => `${CONSOLE_PATHS.users}${id}/`
export const resetMfaPath = (id: number) => `${userPath(id)}mfa-reset/`

/** Whether a request path is the console's (with or without its trailing slash) */
export function isConsolePath(path: string) {
  return path === '/admin' || path.startsWith(CONSOLE_ROOT)
}
