/** The source rows as plain values, as the readers (source_readers.ts) return them */

export type SourceUser = {
  id: number
  username: string
  password: string
  firstName: string
  lastName: string
  email: string
  isActive: boolean
  isStaff: boolean
  isSuperuser: boolean
  lastLogin: Date | null
  dateJoined: Date | null
}

export type SourceEmailAddress = {
  id: number
  userId: number
  email: string
  verified: boolean
  primary: boolean
}

export type SourceClient = {
  id: string
  name: string
  secret: string
  type: string
  scopes: string[]
  defaultScopes: string[]
  grantTypes: string[]
  responseTypes: string[]
  redirectUris: string[]
  corsOrigins: string[]
  allowUriWildcards: boolean
  skipConsent: boolean
  ownerId: number | null
  createdAt: Date | null
  data: unknown
}

export type SourceToken = {
  id: number
  type: string
  hash: string
  clientId: string | null
  userId: number | null
  scopes: string[]
  /** The address chosen at consent (`data.email`) */
  email: string | null
  createdAt: Date | null
  expiresAt: Date | null
}

export type SourceAuthenticator = {
  id: number
  userId: number
  type: string
  /** The type's JSON as allauth stores it (TOTP `secret`; recovery codes `seed`, `used_mask`; WebAuthn `name`, `credential`) */
  data: unknown
  createdAt: Date | null
  lastUsedAt: Date | null
}

export type SourceRows = {
  migrations: { fingerprint: string; latest: Record<string, string> }
  users: SourceUser[]
  emailAddresses: SourceEmailAddress[]
  clients: SourceClient[]
  tokens: SourceToken[]
  /** Empty when the site has no allauth.mfa */
  authenticators: SourceAuthenticator[]
}
