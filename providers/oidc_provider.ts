import { Settings } from 'luxon'
import { HttpContext } from '@adonisjs/core/http'
import type { ApplicationService } from '@adonisjs/core/types'
import oidcConfig from '#config/oidc'
import { assertKnownSettings } from '#start/settings'
import keyStore from '#services/oidc/keys/key_store'
import { loadAdapter, makeAdapter } from '#services/oidc/adapter/loader'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The adapter instance of this request, created on first use */
    oidcAdapter: OidcAdapter
  }
}

/**
 * Boot-time checks of the provider: no misspelt setting, the adapter module
 * loads, and the HTTP server has a key to sign with. Each failing stops the
 * boot with one line.
 */
export default class OidcProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    /* Every time is UTC (docs/data-model.md), whatever the machine's zone */
    Settings.defaultZone = 'utc'
    /* The config files, read before any provider registers, have recorded every setting name */
    assertKnownSettings(process.env)
  }

  async boot() {
    await loadAdapter(oidcConfig.adapter)
    HttpContext.getter(
      'oidcAdapter',
      function (this: HttpContext) {
        return makeAdapter(this)
      },
      true
    )
  }

  /* Before the HTTP server listens, so that a keyless server never answers */
  async start() {
    if (this.app.getEnvironment() === 'web') await keyStore.signingKey()
  }

  /* Every HTTP server process sends back-channel logout notices (the test runner starts it itself: tests/bootstrap.ts) */
  async ready() {
    if (this.app.getEnvironment() !== 'web') return
    const { backchannelDelivery } = await import('#services/oidc/logout/backchannel')
    backchannelDelivery.start()
  }

  async shutdown() {
    if (!['web', 'test'].includes(this.app.getEnvironment())) return
    const { backchannelDelivery } = await import('#services/oidc/logout/backchannel')
    await backchannelDelivery.stop()
  }
}
