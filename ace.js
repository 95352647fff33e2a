/*
 * JavaScript entrypoint for ace commands (`node ace …`). It re-runs itself on the
 * project's Node 24 when started by an older system Node, then loads the
 * TypeScript hook and the console entrypoint. The production build replaces it.
 */
import { APP_ROOT, ensureNode24 } from './bin/node24.js'
import { prepareEnv } from './bin/prepare_env.js'

await ensureNode24()
if (process.env.NODE_ENV !== 'test') prepareEnv(APP_ROOT)

await import('@poppinss/ts-exec')
await import('./bin/console.js')
