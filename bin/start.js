/*
 * `npm start`: everything a fresh clone needs, then the HTTP server.
 * 1. `.env` with an APP_KEY and `tmp/` (first start only);
 * 2. pending migrations;
 * 3. a signing key when there is none;
 * 4. the server on HOST:PORT.
 */
import { spawnSync } from 'node:child_process'
import { APP_ROOT, ensureNode24 } from './node24.js'
import { prepareEnv } from './prepare_env.js'

await ensureNode24()
prepareEnv(APP_ROOT)

for (const args of [
  ['migration:run', '--no-schema-generate'],
  ['keys:generate', '--if-missing'],
]) {
  const step = spawnSync(process.execPath, ['ace', ...args], { cwd: APP_ROOT, stdio: 'inherit' })
  if (step.status !== 0) process.exit(step.status ?? 1)
}

process.chdir(APP_ROOT)
await import('@poppinss/ts-exec')
await import('./server.js')
