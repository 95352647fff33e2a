import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { REDIRECT } from '#tests/helpers/endpoints'
import {
  ISSUER,
  answerConsent,
  authorizationUrl,
  discoverAs,
  redeemCallback,
} from '#tests/helpers/relying_party'
import { ACR_MFA } from '#services/mfa/assurance'
import { Browser, BASE_URL, isSignedIn, readForm, type Page } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { pageText, useAccountSettings } from '#tests/helpers/accounts'
import {
  SoftKey,
  offerKeys,
  pageScriptData,
  signInWithKey,
  useMfaSettings,
  type KeyAnswerOptions,
} from '#tests/helpers/webauthn'
import { selectRow, selectRows } from '#database/statements'

const jwks = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))
const KEYS = '/accounts/2fa/webauthn/'
const ADD = '/accounts/2fa/webauthn/add/'
const PASSKEY_LOGIN = '/accounts/2fa/webauthn/login/'

/** A signed-in person with no key yet */
async function signedIn() {
  const account = await createUser()
  const browser = new Browser()
  await browser.signIn(account.email, account.password)
  return { ...account, login: account.email, browser }
}

/** Adds `key` through the add page; the answer can be spoilt with `answer` */
async function addKey(
  browser: Browser,
  key: SoftKey,
  options: { name?: string; passkey?: boolean; answer?: KeyAnswerOptions } = {}
): Promise<Page> {
  const page = await browser.get(ADD)
  if (page.status !== 200) throw new Error(`add page: ${page.status}`)
  const creation = pageScriptData(page.body).creation_options.publicKey
  const credential = key.register(creation, { passkey: options.passkey, ...options.answer })
  return browser.submit(readForm(page.body, 'form[id="add_key"]'), {
    name: options.name ?? 'My key',
    credential: JSON.stringify(credential),
  })
}

const keyRows = (userId: number) =>
  selectRows<{ id: number; data: string; last_used_at: unknown }>(
    "select id, data, last_used_at from mfa_authenticators where user_id = ? and type = 'webauthn' order by id",
    [userId]
  )

test.group('Security keys: adding, listing, renaming, removing', () => {
  test('the add page gives the creation options; the first key brings the recovery codes', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const { user, browser } = await signedIn()
    const page = await browser.get(ADD)
    const { publicKey } = pageScriptData(page.body).creation_options
    assert.equal(publicKey.rp.id, new URL(BASE_URL).hostname)
    assert.equal(Buffer.from(publicKey.user.id, 'base64url').toString(), String(user.id))
    assert.match(publicKey.challenge, /^[A-Za-z0-9_-]{43}$/)
    assert.includeDeepMembers(publicKey.pubKeyCredParams, [{ alg: -7, type: 'public-key' }])
    assert.deepEqual(publicKey.excludeCredentials, [])
    assert.equal(publicKey.attestation, 'none')
    assert.equal(publicKey.extensions.credProps, true)
    assert.equal(
      readForm(page.body, 'form[id="add_key"]').fields.find(([n]) => n === 'name')?.[1],
      'Master key'
    )

    const key = new SoftKey(BASE_URL)
    const added = await addKey(browser, key, { name: 'Blue key' })
    assert.equal(added.status, 303, pageText(added.body))
    assert.equal(new URL(added.location!).pathname, '/accounts/2fa/recovery-codes/')

    /* allauth's shape: the name and the registration answer as the browser posted it */
    const [row] = await keyRows(user.id)
    const data = JSON.parse(row.data)
    assert.equal(data.name, 'Blue key')
    assert.equal(data.credential.id, key.id)
    assert.equal(data.credential.type, 'public-key')
    assert.containsSubset(data.credential.response, { transports: ['usb'] })
    assert.properties(data.credential.response, ['clientDataJSON', 'attestationObject'])
    assert.equal(data.sign_count, 0)
    assert.isNotNull(
      await selectRow(
        "select id from mfa_authenticators where user_id = ? and type = 'recovery_codes'",
        [user.id]
      )
    )

    const list = pageText((await browser.get(KEYS)).body)
    assert.include(list, 'Blue key')
    assert.include(list, 'Not used.')

    /* a second key: its options exclude the first, and it lands on the overview */
    const second = await browser.get(ADD)
    const options = pageScriptData(second.body).creation_options.publicKey
    assert.deepEqual(
      options.excludeCredentials.map((entry: { id: string }) => entry.id),
      [key.id]
    )
    const again = await addKey(browser, new SoftKey(BASE_URL), { name: '', passkey: true })
    assert.equal(new URL(again.location!).pathname, '/accounts/2fa/')
    const names = (await keyRows(user.id)).map((entry) => JSON.parse(entry.data).name)
    assert.deepEqual(names, ['Blue key', 'Backup key'])
    const listed = pageText((await browser.get(KEYS)).body)
    assert.include(listed, 'Backup key Passkey')
    assert.include(listed, 'Blue key Unspecified')
  })

  test('an answer for another challenge, origin or RP id adds nothing; a challenge serves once', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const { user, browser } = await signedIn()
    const spoilt: KeyAnswerOptions[] = [
      { challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { origin: 'https://evil.example' },
      { rpId: 'evil.example' },
    ]
    for (const answer of spoilt) {
      const page = await addKey(browser, new SoftKey(BASE_URL), { answer })
      assert.equal(page.status, 200, JSON.stringify(answer))
      assert.include(pageText(page.body), 'Incorrect code.')
    }
    const broken = await browser.post(ADD, {
      _csrf: readForm((await browser.get(ADD)).body, 'form[id="add_key"]').fields.find(
        ([n]) => n === '_csrf'
      )![1],
      credential: '{"type": "public-key", "id": [1]}',
    })
    assert.equal(broken.status, 200)
    assert.deepEqual(await keyRows(user.id), [])

    /* the same good answer posted twice: the second finds its challenge used */
    const page = await browser.get(ADD)
    const form = readForm(page.body, 'form[id="add_key"]')
    const key = new SoftKey(BASE_URL)
    const credential = JSON.stringify(
      key.register(pageScriptData(page.body).creation_options.publicKey)
    )
    const copy = new Browser()
    copy.cookies = new Map(browser.cookies)
    assert.equal((await browser.submit(form, { credential })).status, 303)
    const replay = await copy.submit(form, { credential })
    assert.equal(replay.status, 200)
    assert.include(pageText(replay.body), 'Incorrect code.')
    assert.lengthOf(await keyRows(user.id), 1)
  })

  test('renaming and removing ask for a recent authentication; removing the last key takes the recovery codes', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const { user, browser } = await signedIn()
    await addKey(browser, new SoftKey(BASE_URL))
    const [{ id }] = await keyRows(user.id)
    const remove = `${KEYS}keys/${id}/remove/`
    const edit = `${KEYS}keys/${id}/edit/`
    const removePage = await browser.get(remove)
    assert.include(pageText(removePage.body), 'My key')
    const removeForm = readForm(removePage.body, `form[action="${remove}"]`)
    const editForm = readForm((await browser.get(edit)).body, `form[action="${edit}"]`)

    /* the sign-in is older than ACCOUNT_REAUTHENTICATION_TIMEOUT */
    useAccountSettings(cleanup, { reauthenticationTimeout: -1 })
    for (const answer of [await browser.get(remove), await browser.submit(removeForm)]) {
      assert.equal(new URL(answer.location!).pathname, '/accounts/reauthenticate/')
      assert.equal(new URL(answer.location!).searchParams.get('next'), remove)
    }
    assert.equal(
      new URL((await browser.submit(editForm, { name: 'Stolen' })).location!).pathname,
      '/accounts/reauthenticate/'
    )
    assert.lengthOf(await keyRows(user.id), 1)
    assert.equal(JSON.parse((await keyRows(user.id))[0].data).name, 'My key')

    useAccountSettings(cleanup, { reauthenticationTimeout: 300 })
    const renamed = await browser.submit(editForm, { name: 'Red key' })
    assert.equal(new URL(renamed.location!).pathname, KEYS)
    assert.include(pageText((await browser.get(KEYS)).body), 'Red key')
    const blank = await browser.submit(editForm, { name: ' ' })
    assert.equal(blank.status, 200)
    assert.include(pageText(blank.body), 'This field is required.')

    const removed = await browser.submit(removeForm)
    assert.equal(new URL(removed.location!).pathname, KEYS)
    assert.deepEqual(await keyRows(user.id), [])
    assert.isNull(await selectRow('select id from mfa_authenticators where user_id = ?', [user.id]))
    assert.include(pageText((await browser.get(KEYS)).body), 'No security keys have been added.')
  })

  test("another user's key is not found; pages answer 404 unless webauthn is offered", async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const owner = await signedIn()
    await addKey(owner.browser, new SoftKey(BASE_URL))
    const [{ id }] = await keyRows(owner.user.id)
    const other = await signedIn()
    assert.equal((await other.browser.get(`${KEYS}keys/${id}/remove/`)).status, 404)
    assert.equal((await other.browser.get(`${KEYS}keys/${id}/edit/`)).status, 404)
    assert.equal((await other.browser.get(`${KEYS}keys/x/edit/`)).status, 404)
    const csrf = readForm((await other.browser.get(ADD)).body, 'form[id="add_key"]').fields.find(
      ([name]) => name === '_csrf'
    )![1]
    assert.equal(
      (await other.browser.post(`${KEYS}keys/${id}/remove/`, { _csrf: csrf })).status,
      404
    )
    assert.lengthOf(await keyRows(owner.user.id), 1)

    useMfaSettings(cleanup, {
      supportedTypes: ['totp', 'recovery_codes'],
      passkeyLoginEnabled: false,
    })
    assert.equal((await owner.browser.get(KEYS)).status, 404)
    assert.equal((await owner.browser.get(ADD)).status, 404)
    assert.equal(
      (await new Browser().get(PASSKEY_LOGIN, { accept: 'application/json' })).status,
      404
    )
    assert.notInclude((await new Browser().get('/accounts/login/')).body, 'passkey')
  })
})

test.group('Security keys as the second factor', () => {
  test('the password, then the key: signed in, the counter and the use stored', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    await addKey(account.browser, key)

    const { browser, request, done } = await signInWithKey(account, key)
    assert.equal(request.rpId, new URL(BASE_URL).hostname)
    assert.deepEqual(
      request.allowCredentials.map((entry: { id: string }) => entry.id),
      [key.id]
    )
    assert.equal(done.status, 303, pageText(done.body))
    assert.equal(new URL(done.location!).pathname, '/accounts/grants/')
    assert.isTrue(await isSignedIn(browser))
    const [row] = await keyRows(account.user.id)
    assert.equal(JSON.parse(row.data).sign_count, 1)
    assert.isNotNull(row.last_used_at)
  })

  test('a counter that did not move on, a bad signature, another key: refused, not signed in', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    await addKey(account.browser, key)
    assert.isTrue(await isSignedIn((await signInWithKey(account, key, { signCount: 5 })).browser))

    /* a cloned key gives itself away: its counter is behind the one stored */
    const cloned = await signInWithKey(account, key, { signCount: 5 })
    assert.equal(cloned.done.status, 200)
    assert.include(pageText(cloned.done.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(cloned.browser))

    const stranger = new SoftKey(BASE_URL)
    Object.assign(stranger, { credentialId: key.credentialId })
    const forged = await signInWithKey(account, stranger, { signCount: 9 })
    assert.include(pageText(forged.done.body), 'Incorrect code.')
    const elsewhere = await signInWithKey(account, key, {
      origin: 'https://evil.example',
      signCount: 10,
    })
    assert.include(pageText(elsewhere.done.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(elsewhere.browser))
    assert.equal(JSON.parse((await keyRows(account.user.id))[0].data).sign_count, 5)

    /* the right key, counting on, still works */
    assert.isTrue(await isSignedIn((await signInWithKey(account, key, { signCount: 6 })).browser))
  })
})

test.group('Sign in with a passkey', () => {
  test('the login page offers it; a passkey signs in without password', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    await addKey(account.browser, key, { passkey: true })

    const browser = new Browser()
    const login = await browser.get('/accounts/login/?next=/accounts/grants/')
    const form = readForm(login.body, 'form[id="mfa_login"]')
    assert.equal(form.action, PASSKEY_LOGIN)
    assert.include(login.body, '<script src="/static/simplewebauthn-browser.js" defer></script>')
    assert.include(login.headers.get('content-security-policy')!, "script-src 'nonce-")
    assert.match(login.headers.get('content-security-policy')!, /script-src [^;]*'self'/)

    /* opened as a page, the challenge URL goes to the login page */
    assert.equal((await browser.get(PASSKEY_LOGIN)).status, 302)
    const answer = await browser.get(PASSKEY_LOGIN, { accept: 'application/json' })
    const { publicKey } = JSON.parse(answer.body).request_options
    assert.deepEqual(Object.keys(publicKey).sort(), [
      'allowCredentials',
      'challenge',
      'rpId',
      'timeout',
      'userVerification',
    ])
    assert.deepEqual(publicKey.allowCredentials, [])
    assert.equal(publicKey.userVerification, 'required')

    const credential = JSON.stringify(key.assert(publicKey))
    const copy = new Browser()
    copy.cookies = new Map(browser.cookies)
    const done = await browser.submit(form, { credential })
    assert.equal(done.status, 303)
    assert.equal(new URL(done.location!).pathname, '/accounts/grants/')
    assert.isTrue(await isSignedIn(browser))

    /* the same answer again (a copy of the cookie that still holds the challenge): refused */
    const replay = await copy.submit(form, { credential })
    assert.equal(new URL(replay.location!).pathname, '/accounts/login/')
    assert.include(pageText((await copy.follow(replay)).body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(copy))
  })

  test('without the person verified, or for an unknown user handle: refused', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    await addKey(account.browser, key, { passkey: true })

    const attempt = async (change: (key: SoftKey) => void, answer: KeyAnswerOptions = {}) => {
      const browser = new Browser()
      const login = await browser.get('/accounts/login/')
      const options = await browser.get(PASSKEY_LOGIN, { accept: 'application/json' })
      change(key)
      const credential = key.assert(JSON.parse(options.body).request_options.publicKey, answer)
      await browser.submit(readForm(login.body, 'form[id="mfa_login"]'), {
        credential: JSON.stringify(credential),
      })
      return isSignedIn(browser)
    }
    const handle = key.userHandle
    assert.isFalse(await attempt(() => {}, { userVerified: false }))
    assert.isFalse(
      await attempt((k) => (k.userHandle = Buffer.from('999999999').toString('base64url')))
    )
    assert.isFalse(await attempt((k) => (k.userHandle = null)))
    assert.isTrue(await attempt((k) => (k.userHandle = handle)))
  })
})

test.group('The WebAuthn scripts', () => {
  test('are served by the app itself', async ({ assert }) => {
    const bundle = await fetch(`${BASE_URL}/static/simplewebauthn-browser.js`)
    assert.equal(bundle.status, 200)
    assert.match(bundle.headers.get('content-type')!, /^text\/javascript/)
    assert.match(await bundle.text(), /^\/\* \[@simplewebauthn\/browser@\d+/)
    const own = await fetch(`${BASE_URL}/static/webauthn.js`)
    assert.equal(own.status, 200)
    assert.include(await own.text(), 'SimpleWebAuthnBrowser')
  })
})

test.group('Security keys: what relying parties learn', () => {
  /** An authorization request from the signed-in browser; the ID token's amr and acr */
  async function idTokenClaims(browser: Browser) {
    const rp = await createClient()
    const config = await discoverAs(rp, 'post')
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid')
    const leaving = await answerConsent(browser, await browser.get(url))
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: ISSUER, audience: rp.id })
    return { amr: payload.amr, acr: payload.acr }
  }

  test('a key as second factor: amr pwd, hwk, mfa; a synced passkey: swk', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    const synced = new SoftKey(BASE_URL, { synced: true })
    await addKey(account.browser, key)
    await addKey(account.browser, synced, { passkey: true })

    const withKey = await signInWithKey(account, key)
    assert.deepEqual(await idTokenClaims(withKey.browser), {
      amr: ['pwd', 'hwk', 'mfa'],
      acr: ACR_MFA,
    })
    const withSynced = await signInWithKey(account, synced)
    assert.deepEqual(await idTokenClaims(withSynced.browser), {
      amr: ['pwd', 'swk', 'mfa'],
      acr: ACR_MFA,
    })
  })

  test('a passkey without password, the person verified by the key: amr hwk, mfa', async ({
    assert,
    cleanup,
  }) => {
    offerKeys(cleanup)
    const account = await signedIn()
    const key = new SoftKey(BASE_URL)
    await addKey(account.browser, key, { passkey: true })
    const browser = new Browser()
    const login = await browser.get('/accounts/login/')
    const options = await browser.get(PASSKEY_LOGIN, { accept: 'application/json' })
    await browser.submit(readForm(login.body, 'form[id="mfa_login"]'), {
      credential: JSON.stringify(key.assert(JSON.parse(options.body).request_options.publicKey)),
    })
    assert.deepEqual(await idTokenClaims(browser), { amr: ['hwk', 'mfa'], acr: ACR_MFA })
  })
})
