/**
 * `node ace …` in a process of its own, as an operator runs it, on this run's
 * test database (bin/test.ts put SQLITE_PATH or DB_DATABASE in the
 * environment the child inherits), with NODE_ENV=test and `env` on top. A
 * variable set to undefined in `env` is removed.
 */
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'

export type ProcessResult = { code: number; stdout: string; stderr: string }

const run = promisify(execFile)

function childEnv(env: Record<string, string | undefined>) {
  const merged = { ...process.env, NODE_ENV: 'test', ...env }
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined)
  ) as NodeJS.ProcessEnv
}

export async function runProcess(
  file: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
  cwd = app.makePath(),
  input?: string
): Promise<ProcessResult> {
  try {
    const running = run(file, argv, { cwd, env: childEnv(env) })
    if (input !== undefined) running.child.stdin!.end(input)
    const { stdout, stderr } = await running
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

/** `node ace <argv>` on the project's Node; `input` is written to its stdin */
export function runAce(
  argv: string[],
  env: Record<string, string | undefined> = {},
  input?: string
) {
  return runProcess(
    app.makePath('node_modules/.bin/node'),
    ['ace', ...argv],
    env,
    app.makePath(),
    input
  )
}

export type TerminalResult = { code: number; output: string }

/** Single quotes for sh, which `script -c` runs the command with */
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/* Colours and cursor moves of the prompts */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g

/**
 * `node ace <argv>` on a terminal, as an operator at a keyboard: util-linux's
 * `script` gives it a pseudo-terminal. Each answer is typed once the output
 * shows its prompt (`[prompt, keys]`); the output (stdout and stderr mixed, as
 * on a terminal) comes back without colours and cursor moves.
 */
export function runAceInTerminal(
  argv: string[],
  answers: [prompt: string, keys: string][],
  env: Record<string, string | undefined> = {}
): Promise<TerminalResult> {
  const command = [app.makePath('node_modules/.bin/node'), 'ace', ...argv].map(shellQuote).join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: app.makePath(),
    env: childEnv(env),
  })
  let output = ''
  let typedUpTo = 0
  const pending = [...answers]
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
    const shown = output.replace(ANSI, '')
    const next = pending[0]
    if (!next) return
    const at = shown.indexOf(next[0], typedUpTo)
    if (at === -1) return
    typedUpTo = at + next[0].length
    pending.shift()
    child.stdin.write(next[1])
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      child.stdin.destroy()
      resolve({ code: code ?? 1, output: output.replace(ANSI, '').replaceAll('\r', '') })
    })
  })
}
