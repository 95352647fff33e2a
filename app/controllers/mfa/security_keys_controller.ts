import type { HttpContext } from '@adonisjs/core/http'
import { message, type Message } from '#services/i18n/message'
import mfaConfig from '#config/mfa'
import { currentProviderSession } from '#http/provider_session'
import { loginName } from '#services/accounts/credentials'
import { formField } from '#services/accounts/forms/form_errors'
import { redirectTo } from '#http/page_responses'
import { MFA_PATHS } from '#services/mfa/paths'
import { beginCeremony, takeChallenge } from '#services/mfa/webauthn/challenge_store'
import { creationOptions, verifyRegistration } from '#services/mfa/webauthn/ceremonies'
import { relyingParty } from '#services/mfa/webauthn/relying_party'
import {
  addSecurityKey,
  findSecurityKey,
  keyCredentials,
  listSecurityKeys,
  proposedKeyName,
  removeSecurityKey,
  renameSecurityKey,
} from '#services/mfa/webauthn/security_keys'
import { parseJsonField, scriptJson } from '#services/mfa/webauthn/json_field'
import { WEBAUTHN_PATHS, editKeyPath, removeKeyPath } from '#services/mfa/webauthn/paths'

const INCORRECT = message('forms.incorrect_code')

/**
 * /accounts/2fa/webauthn/: the list (signed in), and adding, renaming and
 * removing a key (after a recent authentication, by the route's middleware).
 */
export default class SecurityKeysController {
  async index(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    const keys = await listSecurityKeys(user.id)
    return ctx.view.render('mfa/webauthn/list', {
      keys: keys.map((key) => ({
        ...key,
        added: key.createdAt.setLocale(ctx.i18n.locale).toFormat('d LLL yyyy'),
        used: key.lastUsedAt?.setLocale(ctx.i18n.locale).toRelative() ?? null,
        editPath: editKeyPath(key.id),
        removePath: removeKeyPath(key.id),
      })),
    })
  }

  async create(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    return this.#addPage(ctx, user.id, await proposedKeyName(user.id), null)
  }

  async store(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    const name = formField(ctx.request.input('name'))
    const challenge = await takeChallenge(ctx.session, 'register', user.id)
    const registration =
      challenge &&
      (await verifyRegistration(
        relyingParty(),
        parseJsonField(ctx.request.input('credential')),
        challenge
      ))
    if (!registration) return this.#addPage(ctx, user.id, name, INCORRECT)
    const added = await addSecurityKey(user.id, name, registration)
    ctx.session.flash('notices', [message('mfa.webauthn.add.added')])
    return redirectTo(ctx, added.madeRecoveryCodes ? MFA_PATHS.recoveryCodes : MFA_PATHS.index)
  }

  async edit(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    const key = await findSecurityKey(user.id, keyId(ctx))
    if (!key) return ctx.response.notFound('')
    return ctx.view.render('mfa/webauthn/edit', { key, action: editKeyPath(key.id), error: null })
  }

  async update(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    const key = await findSecurityKey(user.id, keyId(ctx))
    if (!key) return ctx.response.notFound('')
    const name = formField(ctx.request.input('name')).trim()
    if (!name || name.length > 100)
      return ctx.view.render('mfa/webauthn/edit', {
        key: { ...key, name },
        action: editKeyPath(key.id),
        error: name ? message('forms.max_length', { max: 100 }) : message('forms.required'),
      })
    await renameSecurityKey(user.id, key.id, name)
    return redirectTo(ctx, WEBAUTHN_PATHS.list)
  }

  async confirmRemove(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    const key = await findSecurityKey(user.id, keyId(ctx))
    if (!key) return ctx.response.notFound('')
    return ctx.view.render('mfa/webauthn/remove', { key, action: removeKeyPath(key.id) })
  }

  async remove(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    if (!(await removeSecurityKey(user.id, keyId(ctx)))) return ctx.response.notFound('')
    ctx.session.flash('notices', [message('mfa.webauthn.remove.removed')])
    return redirectTo(ctx, WEBAUTHN_PATHS.list)
  }

  async #addPage(ctx: HttpContext, userId: number, name: string, error: Message | null) {
    const user = (await currentProviderSession(ctx))!.user
    const login = await loginName(user)
    const options = await creationOptions(
      relyingParty(),
      { id: userId, name: login, displayName: user.username ?? login },
      await keyCredentials(userId),
      await beginCeremony(ctx.session, 'register', userId)
    )
    return ctx.view.render('mfa/webauthn/add', {
      name,
      error,
      passkeyChoice: mfaConfig.passkeyLoginEnabled,
      scriptJson: scriptJson({ creation_options: { publicKey: options } }),
    })
  }
}

/* The key id in the path; 0 (no key) for anything but a plain number */
const keyId = (ctx: HttpContext) => (/^\d{1,9}$/.test(ctx.params.id) ? Number(ctx.params.id) : 0)
