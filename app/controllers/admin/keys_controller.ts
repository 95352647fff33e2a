import type { HttpContext } from '@adonisjs/core/http'
import oidcConfig from '#config/oidc'
import {
  generateSigningKey,
  KeyManagementError,
  listSigningKeys,
  retireSigningKey,
  SIGNING_ALGS,
  type KeyState,
} from '#services/oidc/keys/key_management'
import { shownTime } from '#services/admin/display'
import { CONSOLE_PATHS } from '#services/admin/paths'
import { doneThen, formText, recordChange, refusedThen } from '#http/console_pages'

const STATES: Record<KeyState, string> = {
  signing: 'Signs now',
  waiting: 'Published, signs later',
  published: 'Retired, still published',
  withdrawn: 'Retired, withdrawn',
}

/** /admin/keys/: the signing keys, generate and retire, by keys:*'s rules (docs/admin.md) */
export default class KeysController {
  async index(ctx: HttpContext) {
    const keys = await listSigningKeys()
    return ctx.view.render('admin/keys', {
      fixedKey: Boolean(oidcConfig.privateKey),
      configuredAlg: oidcConfig.signingAlg,
      algs: SIGNING_ALGS,
      keys: keys.map(({ key, state, publishedUntil }) => ({
        kid: key.kid,
        alg: key.alg,
        state: STATES[state],
        retirable: state === 'signing' || state === 'waiting',
        activeFrom: shownTime(key.activeFrom),
        retiredAt: shownTime(key.retiredAt),
        publishedUntil: publishedUntil ? shownTime(publishedUntil) : 'while live',
      })),
    })
  }

  async act(ctx: HttpContext) {
    try {
      if (formText(ctx, 'action') === 'retire') {
        const key = await retireSigningKey(formText(ctx, 'kid'))
        await recordChange(ctx, 'admin.key_retired', { data: { kid: key.kid } })
        return doneThen(ctx, `Retired key ${key.kid}.`, CONSOLE_PATHS.keys)
      }
      const key = (await generateSigningKey(formText(ctx, 'alg') || undefined))!
      await recordChange(ctx, 'admin.keys_generated', { data: { kid: key.kid, alg: key.alg } })
      return doneThen(
        ctx,
        `Generated ${key.alg} key ${key.kid}; it signs from ${shownTime(key.activeFrom)}.`,
        CONSOLE_PATHS.keys
      )
    } catch (error) {
      if (!(error instanceof KeyManagementError)) throw error
      return refusedThen(ctx, error.message, CONSOLE_PATHS.keys)
    }
  }
}
