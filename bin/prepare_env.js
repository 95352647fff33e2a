/*
 * First-start preparation for a fresh clone: create `.env` from `.env.example`
 * with a new random APP_KEY, and the `tmp/` folder that holds the SQLite file.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function prepareEnv(appRoot) {
  mkdirSync(join(appRoot, 'tmp'), { recursive: true })
  const envFile = join(appRoot, '.env')
  if (existsSync(envFile)) return
  const example = readFileSync(join(appRoot, '.env.example'), 'utf8')
  const appKey = randomBytes(32).toString('base64url')
  writeFileSync(envFile, example.replace(/^APP_KEY=.*$/m, `APP_KEY=${appKey}`), { mode: 0o600 })
  console.log('Created .env with a new APP_KEY (back it up: it encrypts the stored signing keys).')
}
