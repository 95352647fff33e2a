/**
 * `node ace …` in a process of its own, as an operator runs it, on this run's
 * test database (bin/test.ts put SQLITE_PATH or DB_DATABASE in the
 * environment the child inherits), with NODE_ENV=test and `env` on top. A
 * variable set to undefined in `env` is removed.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'

export type ProcessResult = { code: number; stdout: string; stderr: string }

const run = promisify(execFile)

export async function runProcess(
  file: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
  cwd = app.makePath()
): Promise<ProcessResult> {
  const merged = { ...process.env, NODE_ENV: 'test', ...env }
  const environment = Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined)
  ) as NodeJS.ProcessEnv
  try {
    const { stdout, stderr } = await run(file, argv, { cwd, env: environment })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

/** `node ace <argv>` on the project's Node */
export function runAce(argv: string[], env: Record<string, string | undefined> = {}) {
  return runProcess(app.makePath('node_modules/.bin/node'), ['ace', ...argv], env)
}
