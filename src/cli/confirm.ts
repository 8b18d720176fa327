import { createInterface } from 'node:readline/promises'
import type { MigrationPair } from '../engine/settings.js'
import { MigrationError } from '../errors.js'
import { DELETING_MODES } from './modes.js'

/** Asks one question and returns the typed answer; only given when stdin and stderr are terminals. */
export type Ask = (question: string) => Promise<string>

/**
 * The names a deleting mode may remove: the --confirm-delete names, plus each other source whose
 * name is typed back on a terminal. Without a terminal an unconfirmed source refuses the whole
 * run before anything is touched. The engine then applies the action's own gate (the target
 * re-verified against the backup, the source unchanged since it).
 */
export async function confirmDeletes(mode: string, pairs: MigrationPair[], confirmed: string[], ask?: Ask): Promise<string[]> {
  if (!DELETING_MODES.has(mode)) return confirmed
  const pending = [...new Set(pairs.map((p) => p.source))].filter((source) => !confirmed.includes(source))
  if (!pending.length) return confirmed
  if (!ask) {
    throw new MigrationError(
      'DELETE_REFUSED',
      `Refusing to delete ${pending.join(', ')}: not confirmed, and without a terminal the name cannot be typed back. Pass ${pending.map((s) => `--confirm-delete ${s}`).join(' ')}. Nothing was changed.`
    )
  }
  const names = [...confirmed]
  for (const source of pending) {
    const answer = (await ask(`${mode} deletes the table ${source} for good, once its copy is re-verified against the backup.\nType ${source} to confirm: `)).trim()
    if (answer !== source) throw new MigrationError('DELETE_REFUSED', `Refusing to delete ${source}: the name typed ("${answer}") is not "${source}". Nothing was changed.`)
    names.push(source)
  }
  return names
}

/** A prompt on the terminal (node:readline/promises); Ctrl-C or Ctrl-D answers with nothing. */
export function terminalAsk(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Ask {
  return async (question) => {
    const rl = createInterface({ input, output, terminal: true })
    const abort = new AbortController()
    rl.once('SIGINT', () => abort.abort())
    rl.once('close', () => abort.abort())
    try {
      return await rl.question(question, { signal: abort.signal })
    } catch {
      output.write('\n')
      return ''
    } finally {
      rl.close()
    }
  }
}
