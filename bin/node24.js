/*
 * AdonisJS v7 needs Node.js 24, which the `node` npm package installs into
 * node_modules/.bin (a dependency, so the production build's
 * `npm ci --omit=dev` brings it too). Every entry point (ace.js, bin/start.js,
 * and in the build bin/server.js and bin/console.js) awaits `ensureNode24()`
 * before it loads anything else, so that a plain `node …` on an older system
 * Node re-runs the same command on the project's Node, or says in one line
 * what is missing, instead of failing deep inside (a native module built for
 * Node 24 crashes an older Node with a segmentation fault).
 * Plain JavaScript on purpose: it must parse and run on that older Node,
 * and the build copies it as is (adonisrc.ts metaFiles).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'

export const APP_ROOT = fileURLToPath(new URL('../', import.meta.url))
export const REQUIRED_NODE_MAJOR = 24

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

export async function ensureNode24() {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= REQUIRED_NODE_MAJOR) return
  const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url))
  if (!existsSync(projectNode)) {
    console.error(
      `error: Node.js ${REQUIRED_NODE_MAJOR} or newer is needed (this is ${process.version}): ` +
        `run \`npm ci\` here (\`npm ci --omit=dev\` in a build), which installs it into node_modules, ` +
        `or start with Node.js ${REQUIRED_NODE_MAJOR}`
    )
    process.exit(1)
  }
  /* node flags (`node --max-semi-space-size=4 bin/server.js`) and arguments go along */
  const child = spawn(projectNode, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  })
  /* A service manager signals this process: the server it started must hear it too */
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    process.exit(code === null ? 128 + (constants.signals[signal] || 0) : code)
  })
  /* Nothing after the caller's `await` runs in this process: the child does the work */
  return new Promise(() => {})
}
