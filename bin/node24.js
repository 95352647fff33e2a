/*
 * AdonisJS v7 needs Node.js 24, which the `node` npm package installs into
 * node_modules/.bin. Entry points call `ensureNode24()` first so that a plain
 * `node ace …` on an older system Node re-runs itself on the project's Node.
 * Plain JavaScript on purpose: it must run on the older Node too.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const APP_ROOT = fileURLToPath(new URL('../', import.meta.url))

export function ensureNode24(script) {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= 24) return
  const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url))
  if (!existsSync(projectNode)) {
    console.error(
      'Node.js 24 is required: run `npm install` first (it installs Node 24 into node_modules).'
    )
    process.exit(1)
  }
  /* node flags (`node --max-semi-space-size=4 bin/start.js`) go along */
  const child = spawnSync(projectNode, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  process.exit(child.status ?? 1)
}
