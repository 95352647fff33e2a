import type { NamedReporterContract } from '@japa/runner/types'

/** Prints the closing line CI reads: `Tests: N passed, N failed` */
export function plainSummary(): NamedReporterContract {
  return {
    name: 'plain-summary',
    handler(runner, emitter) {
      emitter.on('runner:end', () => {
        const { aggregates } = runner.getSummary()
        console.log(`\nTests: ${aggregates.passed} passed, ${aggregates.failed} failed`)
      })
    },
  }
}
