import { defineConfig } from '@adonisjs/core/bodyparser'

/*
 * Values are kept as sent (no trimming, no empty-to-null) so that protocol
 * checks see exactly what the client posted. JSON is parsed only so that the
 * API endpoints can refuse it with `invalid_request`.
 */
const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: false,
    trimWhitespaces: false,
    limit: '64kb',
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: false,
    trimWhitespaces: false,
    limit: '64kb',
    types: ['application/json'],
  },
  multipart: {
    autoProcess: false,
    convertEmptyStringsToNull: false,
    trimWhitespaces: false,
    processManually: [],
    limit: '64kb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
