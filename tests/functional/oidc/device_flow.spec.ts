import { test } from '@japa/runner'
import OidcDeviceCode from '#models/oidc_device_code'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

test.group('Device authorization flow', () => {
  test('a polling device gets tokens once the person confirms the code', async ({ assert }) => {
    const person = await createUser()
    const rp = await createClient({ type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'] })
    const config = await discoverAs(rp, 'none')
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email' })
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    assert.equal(device.verification_uri_complete, `${device.verification_uri}?code=${device.user_code}`)

    const polling = oidc.pollDeviceAuthorizationGrant(config, device)

    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    const typed = device.user_code.toLowerCase().replace('-', ' ')
    const confirm = await browser.submit(readForm((await browser.get('/identity/o/device')).body), { code: typed })
    assert.equal(confirm.status, 200)
    assert.include(confirm.body, 'Confirm Device')
    assert.include(confirm.body, 'View your email address')
    const done = await browser.submit(readForm(confirm.body, 'form[action="/identity/o/device"]'), { action: 'confirm' })
    assert.include(done.body, 'Device Authorized')

    const tokens = await polling
    assert.equal(tokens.claims()!.sub, String(person.user.id))
    assert.isString(tokens.refresh_token)
    const row = await OidcDeviceCode.findByOrFail('user_code', device.user_code.replace('-', ''))
    assert.equal(row.status, 'consumed')
  })
})
