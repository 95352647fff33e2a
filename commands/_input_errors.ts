import { AdminInputError } from './_admin_command.js'
import { AccountInputError } from '#services/accounts/users'
import { ClientRegistrationError } from '#services/oidc/clients/registration'
import { KeyManagementError } from '#services/oidc/keys/key_management'

/** The services' bad-input errors become the admin commands' one-line error */
export async function asAdminInput<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (
      error instanceof ClientRegistrationError ||
      error instanceof AccountInputError ||
      error instanceof KeyManagementError
    )
      throw new AdminInputError(error.message)
    throw error
  }
}
