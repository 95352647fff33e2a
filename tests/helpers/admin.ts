/**
 * The admin console in functional tests: staff and other people signed in
 * through the login page, every console route with real ids in it, and
 * reading the pages' forms.
 */
import router from '@adonisjs/core/services/router'
import User from '#models/user'
import { Browser, readForm, type Page } from '#tests/helpers/browser'
import { createUser, type TestUser } from '#tests/helpers/factories'

export async function createStaff(overrides: Parameters<typeof createUser>[0] = {}) {
  const person = await createUser(overrides)
  await User.query().where('id', person.user.id).update({ is_staff: true })
  person.user.isStaff = true
  return person
}

/** A browser signed in as `person` through the login page */
export async function signedInAs(person: TestUser) {
  const browser = new Browser()
  const page = await browser.signIn(person.email, person.password)
  if (page.status !== 303) throw new Error(`sign-in failed: ${page.status}`)
  return browser
}

export type ConsoleRoute = { method: string; pattern: string; path: string }

/** Every route the router has under /admin, with `:id` filled in for a client or a user */
export function consoleRoutes(ids: { clientId: string; userId: number }): ConsoleRoute[] {
  const routes = Object.values(router.toJSON()).flat()
  return routes
    .filter((route) => route.pattern.startsWith('/admin'))
    .flatMap((route) =>
      route.methods
        .filter((method) => method !== 'HEAD')
        .map((method) => ({
          method,
          pattern: route.pattern,
          path: `${route.pattern.replace(
            ':id',
            route.pattern.startsWith('/admin/users') ? String(ids.userId) : ids.clientId
          )}/`.replace(/\/+$/, '/'),
        }))
    )
}

/** The page's form posting to `action`, ready to submit */
export function consoleForm(page: Page, action: string) {
  return readForm(page.body, `form[action="${action}"]`)
}
