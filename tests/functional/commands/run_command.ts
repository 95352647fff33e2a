/**
 * Runs admin commands in the test process (the ace kernel in raw mode keeps
 * what they print) and checks the output contract of docs/operations.md#commands: with
 * --json one JSON value alone on stdout; bad input one `error: …` line on
 * stderr and exit code 1.
 */
import ace from '@adonisjs/core/services/ace'
import type { Assert } from '@japa/assert'

export type CommandOutput = { exitCode: number | undefined; stdout: string[]; stderr: string[] }

export async function runCommand(name: string, argv: string[]): Promise<CommandOutput> {
  ace.ui.switchMode('raw')
  ace.ui.logger.flushLogs()
  const command = await ace.exec(name, argv)
  const logs = ace.ui.logger.getLogs()
  ace.ui.logger.flushLogs()
  if (command.error) throw command.error
  return {
    exitCode: command.exitCode,
    stdout: logs.filter((log) => log.stream === 'stdout').map((log) => log.message),
    stderr: logs.filter((log) => log.stream === 'stderr').map((log) => log.message),
  }
}

/** Runs with --json; returns the one value printed */
export async function runJson(assert: Assert, name: string, argv: string[]): Promise<any> {
  const output = await runCommand(name, [...argv, '--json'])
  assert.deepEqual(output.stderr, [])
  assert.equal(output.exitCode, 0)
  assert.lengthOf(output.stdout, 1)
  assert.notInclude(output.stdout[0], '\n')
  return JSON.parse(output.stdout[0])
}

/** Runs input that must be refused; returns the message after `error: ` */
export async function runRefused(assert: Assert, name: string, argv: string[]): Promise<string> {
  const output = await runCommand(name, [...argv, '--json'])
  assert.equal(output.exitCode, 1)
  assert.deepEqual(output.stdout, [])
  assert.lengthOf(output.stderr, 1)
  assert.match(output.stderr[0], /^error: [^\n]+$/)
  return output.stderr[0].slice('error: '.length)
}
