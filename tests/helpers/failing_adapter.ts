import { DefaultOidcAdapter } from '#services/oidc/adapter/adapter'

/** An app adapter whose ID token hook throws: the one allowed cause of a 500 (docs/adapter.md#methods) */
export default class FailingOidcAdapter extends DefaultOidcAdapter {
  populateIdToken(): void {
    throw new Error('adapter failure')
  }
}
