/*
 * The security-key pages' script. The page gives the WebAuthn options in
 * <script id="js_data" type="application/json"> (or, for "Sign in with a
 * passkey", the form's GET answer); the browser's answer goes into the
 * form's hidden `credential` field, which is posted. @simplewebauthn/browser
 * (loaded before this file) turns options and answers into JSON.
 */
;(function () {
  'use strict'
  const { startAuthentication, startRegistration } = window.SimpleWebAuthnBrowser

  const pageData = () => JSON.parse(document.getElementById('js_data').textContent)

  /* What went wrong, where the person sees it, instead of the console only (the box holds its words in the page's language) */
  function showProblem(form, error) {
    const box = form.querySelector('[data-webauthn-problem]')
    if (!box) return
    box.hidden = false
    box.textContent =
      error && error.name === 'NotAllowedError'
        ? box.dataset.notAllowed
        : box.dataset.unusable + ' ' + (error && error.message)
  }

  function post(form, credential) {
    form.querySelector('input[name="credential"]').value = JSON.stringify(credential)
    form.submit()
  }

  /* Add a key: the "Passwordless" box asks for a passkey (resident, user verified) */
  function addKey(button) {
    const form = button.form
    button.addEventListener('click', async () => {
      const options = structuredClone(pageData().creation_options.publicKey)
      const passwordless = form.querySelector('input[name="passwordless"]')
      if (passwordless && passwordless.checked) {
        options.authenticatorSelection = {
          ...options.authenticatorSelection,
          residentKey: 'required',
          requireResidentKey: true,
          userVerification: 'required',
        }
      }
      try {
        post(form, await startRegistration({ optionsJSON: options }))
      } catch (error) {
        showProblem(form, error)
      }
    })
  }

  /* The second factor: the options for this user's keys came with the page */
  function authenticate(button) {
    const form = button.form
    button.addEventListener('click', async () => {
      try {
        const options = pageData().request_options.publicKey
        post(form, await startAuthentication({ optionsJSON: options }))
      } catch (error) {
        showProblem(form, error)
      }
    })
  }

  /* "Sign in with a passkey": a fresh challenge from the form's own URL, then any passkey of this site */
  function passkeyLogin(button) {
    const form = button.form
    button.addEventListener('click', async () => {
      try {
        const answer = await fetch(form.action, { headers: { Accept: 'application/json' } })
        if (!answer.ok) throw new Error('the server gave no challenge (' + answer.status + ')')
        const options = (await answer.json()).request_options.publicKey
        post(form, await startAuthentication({ optionsJSON: options }))
      } catch (error) {
        showProblem(form, error)
      }
    })
  }

  const actions = { add: addKey, authenticate, passkey_login: passkeyLogin }
  for (const button of document.querySelectorAll('button[data-webauthn]')) {
    actions[button.dataset.webauthn](button)
  }
})()
