/**
 * A device signed in with the device grant: the device asks for a code, the
 * person (already signed in, in `browser`) confirms it on the device page, and
 * the device's poll gets its tokens.
 */
import { type Browser, readForm } from '#tests/helpers/browser'
import { DEVICE_GRANT, DEVICE_PAGE } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'

export async function signInDevice(browser: Browser, clientName: string, scope: string) {
  const rp = await createClient({
    name: clientName,
    type: 'public',
    grantTypes: [DEVICE_GRANT, 'refresh_token'],
  })
  const config = await discoverAs(rp, 'none')
  const device = await oidc.initiateDeviceAuthorization(config, { scope })
  const polling = oidc.pollDeviceAuthorizationGrant(config, device)
  const confirm = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
  await browser.submit(readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`), {
    action: 'confirm',
  })
  return { rp, config, tokens: await polling }
}
