import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizationUrl, discoverAs } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import { newAccount, pageText, signUp } from '#tests/helpers/accounts'
import { REDIRECT } from '#tests/helpers/endpoints'
import { AUTHENTICATE, awayFromStepEdge, giveTotp, submitCode, totpCode } from '#tests/helpers/mfa'

const LOGIN = '/accounts/login/'
const GERMAN = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' }

const htmlLang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1]
const heading = (html: string) => pageText(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '')

/** A browser that sends the same Accept-Language on every request */
class LocalizedBrowser extends Browser {
  constructor(readonly acceptLanguage: string) {
    super()
  }
  request(...[method, url, body, headers]: Parameters<Browser['request']>) {
    return super.request(method, url, body, { 'accept-language': this.acceptLanguage, ...headers })
  }
}

/** A message of resources/lang/<locale>/<file>.json */
async function translation(locale: string, file: string, key: string) {
  const url = new URL(`../../../resources/lang/${locale}/${file}.json`, import.meta.url)
  return JSON.parse(await readFile(url, 'utf8'))[key] as string
}

async function authorizeAsking(uiLocales: string) {
  const rp = await createClient({ redirectUris: [REDIRECT] })
  const config = await discoverAs(rp, 'post')
  return (await authorizationUrl(config, REDIRECT, 'openid email', { ui_locales: uiLocales })).url
}

test.group('Languages of the pages and mails', () => {
  test('Accept-Language chooses the page language; English when nothing matches', async ({
    assert,
  }) => {
    const browser = new Browser()
    const german = await browser.get(LOGIN, GERMAN)
    assert.equal(htmlLang(german.body), 'de')
    assert.equal(heading(german.body), 'Anmelden')
    assert.include(pageText(german.body), 'Passwort vergessen?')

    const french = await browser.get(LOGIN, { 'accept-language': 'fr-CH, fr;q=0.9' })
    assert.equal(htmlLang(french.body), 'fr')
    assert.equal(heading(french.body), 'Connexion')

    for (const header of [undefined, { 'accept-language': 'ja, pt-BR;q=0.8' }]) {
      const english = await browser.get(LOGIN, header)
      assert.equal(htmlLang(english.body), 'en')
      assert.equal(heading(english.body), 'Sign In')
    }
  })

  test('ui_locales of the authorization request beats Accept-Language on the pages of that flow', async ({
    assert,
  }) => {
    const { email, password } = await createUser()
    const browser = new LocalizedBrowser('de')
    const gate = await browser.get(await authorizeAsking('ja fr-CA de'))
    const login = await browser.get(gate.location!)
    assert.equal(htmlLang(login.body), 'fr')
    assert.equal(heading(login.body), 'Connexion')

    /* the failed POST carries the flow's `next` in its form, so its answer stays French */
    const form = readForm(login.body, `form[action="${LOGIN}"]`)
    const failed = await browser.submit(form, { login: email, password: 'not-the-password' })
    assert.include(
      pageText(failed.body),
      'L’identifiant et/ou le mot de passe que vous avez indiqués sont incorrects.'
    )

    /* a page outside the flow's URLs keeps its language while the flow lasts */
    const elsewhere = await browser.get(LOGIN)
    assert.equal(htmlLang(elsewhere.body), 'fr')

    const signedIn = await browser.submit(form, { login: email, password })
    const consent = await browser.get(signedIn.location!)
    assert.equal(htmlLang(consent.body), 'fr')

    /* a new authorization request without ui_locales: the browser's language again */
    const next = await browser.get(await authorizeAsking('ja'))
    assert.equal(htmlLang(next.body), 'de')
  })

  test('every page a signed-in person opens has its German and French heading', async ({
    assert,
  }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    const pages = [
      ['/', 'accounts/home', 'title'],
      ['/accounts/email/', 'accounts/email', 'title'],
      ['/accounts/grants/', 'accounts/grants', 'title'],
      ['/accounts/logout/', 'accounts/logout', 'title'],
      ['/identity/o/device', 'oidc/device_enter', 'title'],
      ['/accounts/nowhere/', 'oidc/error', 'not_found_heading'],
    ]
    for (const locale of ['de', 'fr']) {
      for (const [path, file, key] of pages) {
        const page = await browser.get(path, { 'accept-language': locale })
        const expected = await translation(locale, file, key)
        assert.equal(htmlLang(page.body), locale, path)
        assert.equal(heading(page.body), expected, `${locale} ${path}`)
        assert.notEqual(expected, await translation('en', file, key))
      }
    }
  })

  test('the two-factor pages, their errors and notices in German', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browser = new LocalizedBrowser('de-DE,de;q=0.9')
    await browser.signIn(email, password)

    const second = await browser.get(AUTHENTICATE)
    assert.equal(htmlLang(second.body), 'de')
    assert.equal(heading(second.body), 'Zwei-Faktor-Authentifizierung')
    assert.include(pageText(second.body), await translation('de', 'mfa/authenticate', 'intro'))
    const wrong = await browser.submit(readForm(second.body, 'form[id="code_form"]'), {
      code: '000000',
    })
    assert.include(pageText(wrong.body), 'Falscher Code.')
    assert.notInclude(pageText(wrong.body), 'Incorrect code.')

    await awayFromStepEdge()
    await submitCode(browser, totpCode(secret))
    const overview = await browser.get('/accounts/2fa/')
    assert.equal(overview.status, 200)
    assert.equal(htmlLang(overview.body), 'de')
    assert.equal(heading(overview.body), 'Zwei-Faktor-Authentifizierung')
    assert.include(
      pageText(overview.body),
      'Es sind noch 10 von 10 Wiederherstellungscodes verfügbar.'
    )

    const deactivate = await browser.get('/accounts/2fa/totp/deactivate/')
    const done = await browser.follow(
      await browser.submit(
        readForm(deactivate.body, 'form[action="/accounts/2fa/totp/deactivate/"]')
      )
    )
    assert.include(pageText(done.body), 'Authenticator-App deaktiviert.')
  })

  test('the sign-up page and its form errors in French', async ({ assert }) => {
    const browser = new Browser()
    const french = { 'accept-language': 'fr' }
    const page = await browser.get('/accounts/signup/', french)
    assert.equal(heading(page.body), 'Inscription')
    const form = readForm(page.body, 'form[action="/accounts/signup/"]')
    const refused = await browser.request(
      'POST',
      form.action,
      new URLSearchParams([
        ...form.fields.filter(([name]) => !['email', 'password1'].includes(name)),
        ['email', 'not-an-address'],
        ['password1', '1234'],
      ]),
      french
    )
    const text = pageText(refused.body)
    assert.include(text, 'Saisissez une adresse e-mail valide.')
    assert.include(text, 'Ce mot de passe est entièrement numérique.')
    assert.include(text, 'Ce champ est obligatoire.')
  })

  test('a mail is written in the language of the page that caused it', async ({ assert }) => {
    const account = newAccount('sprache')
    const browser = new LocalizedBrowser('de')
    await signUp(browser, account)
    const mail = await mailSink.nextMail(account.email)
    assert.match(mail.subject, /\] Bitte bestätigen Sie Ihre E-Mail-Adresse$/)
    assert.match(mail.text, /^Hallo von .+!$/m)
    assert.include(mail.text, 'Um zu bestätigen, dass sie Ihnen gehört, öffnen Sie diesen Link:')
    assert.include(mail.html, '<html lang="de">')
    assert.include(mail.html, 'Meine E-Mail-Adresse bestätigen')
  })
})
