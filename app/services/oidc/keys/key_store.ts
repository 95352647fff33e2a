import oidcConfig from '#config/oidc'
import { KeyStore } from '#services/oidc/keys/signing_keys'

/** The process-wide key store (keys are imported once per process) */
const keyStore = new KeyStore(oidcConfig)
export default keyStore
