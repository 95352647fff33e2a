import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { Browser, BASE_URL, readForm } from '#tests/helpers/browser'
import { REDIRECT, TOKEN, USERINFO } from '#tests/helpers/endpoints'
import { createClient, createUser } from '#tests/helpers/factories'
import { basic, postForm } from '#tests/helpers/oauth_checks'
import { authorizationUrl, discoverAs } from '#tests/helpers/relying_party'
import { startApp } from '#tests/helpers/app_process'

/** A token request sent to one particular process, as a load balancer would */
async function tokenRequest(
  origin: string,
  clientId: string,
  secret: string,
  body: Record<string, string>
) {
  const page = await postForm(`${origin}${TOKEN}`, body, { authorization: basic(clientId, secret) })
  return { status: page.status, body: JSON.parse(page.body) as Record<string, string> }
}

test.group('Two app processes on one database', () => {
  test('serve one flow together: sign-in and consent on both, code and refreshes on either', async ({
    assert,
    cleanup,
  }) => {
    /* the second process shares the public origin (the issuer) and the database, as behind a load balancer */
    const second = await startApp({ APP_URL: BASE_URL })
    cleanup(() => second.stop())
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const config = await discoverAs(rp, 'basic')
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid email')
    const browser = new Browser()

    await browser.signIn(person.email, person.password)
    const consentPage = await browser.get(url.replace(BASE_URL, second.url))
    assert.equal(
      consentPage.status,
      200,
      'the session made by the first process is valid on the second'
    )
    const form = readForm(consentPage.body, 'form[action="/identity/o/authorize"]')
    const granted = await browser.submit(form, { action: 'grant' })
    assert.equal(
      granted.status,
      303,
      'the consent state signed by the second process is accepted by the first'
    )
    const code = new URL(granted.location!).searchParams.get('code')!

    const exchanged = await tokenRequest(second.url, rp.id, rp.secret!, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: secrets.verifier,
    })
    assert.equal(exchanged.status, 200)
    const { payload } = await jwtVerify(
      exchanged.body.id_token,
      createRemoteJWKSet(new URL(`${BASE_URL}/.well-known/jwks.json`)),
      { issuer: BASE_URL, audience: rp.id }
    )
    assert.equal(payload.nonce, secrets.nonce)

    const onFirst = await tokenRequest(BASE_URL, rp.id, rp.secret!, {
      grant_type: 'refresh_token',
      refresh_token: exchanged.body.refresh_token,
    })
    assert.equal(onFirst.status, 200)
    const onSecond = await tokenRequest(second.url, rp.id, rp.secret!, {
      grant_type: 'refresh_token',
      refresh_token: onFirst.body.refresh_token,
    })
    assert.equal(onSecond.status, 200)

    const userinfo = await fetch(`${second.url}${USERINFO}`, {
      headers: { authorization: `Bearer ${onSecond.body.access_token}` },
    })
    assert.equal(userinfo.status, 200)
    assert.equal(((await userinfo.json()) as Record<string, string>).email, person.email)

    const replayed = await tokenRequest(BASE_URL, rp.id, rp.secret!, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: secrets.verifier,
    })
    assert.equal(
      replayed.body.error,
      'invalid_grant',
      'the code consumed by the second process is spent for the first'
    )
    const revoked = await fetch(`${second.url}${USERINFO}`, {
      headers: { authorization: `Bearer ${onSecond.body.access_token}` },
    })
    assert.equal(
      revoked.status,
      401,
      'the replay revoked the family, refreshed tokens included, for both processes'
    )
  })
})
