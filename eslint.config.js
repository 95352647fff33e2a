import { configApp } from '@adonisjs/eslint-config'

export default configApp(
  { ignores: ['build/**', 'tmp/**', '.adonisjs/**', 'bench/results/**'] },
  {
    /* Tests read a response in one expression: `(await response.json()).error` */
    files: ['tests/**'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  }
)
