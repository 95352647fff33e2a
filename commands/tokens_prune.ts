import { pruneExpired, type PruneCounts } from '#services/oidc/pruning'
import { AdminCommand } from './_admin_command.js'

export default class TokensPrune extends AdminCommand {
  static commandName = 'tokens:prune'
  static description =
    'Delete expired and revoked tokens, old codes, expired consents, sessions, email confirmations and reset codes, given-up outbox rows and retired keys past their window'

  protected async execute() {
    const counts = await pruneExpired()
    await this.audit('admin.tokens_pruned', { data: counts })
    return counts
  }

  protected describe(counts: PruneCounts) {
    return `Deleted ${Object.entries(counts)
      .map(([what, count]) => `${count} ${what.replaceAll('_', ' ')}`)
      .join(', ')}`
  }
}
