import { promises as fs } from 'node:fs'
import path from 'node:path'

export type FlowPhase = 'to-temp' | 'delete-source' | 'from-temp' | 'drop-temp'

/**
 * The temp-table flow's record, kept in the original's backup folder (and so in its artifact)
 * and updated by each phase. Each phase checks the previous one is recorded and that it runs
 * against the same tables, so phases cannot run out of order or cross tables.
 */
export interface TempFlowState {
  flow: 'temp-table'
  /** The hand-made original (e.g. prod-order-tracking). */
  source: string
  /** The table IaC creates (often the same name as the source). */
  target: string
  temp: string
  /** Count and digest of the original's backup: what every copy must equal. */
  original: { count: number; digest: string }
  phases: Partial<Record<FlowPhase, { at: string; runId?: string }>>
  sourceDeletedAt?: string
  targetCreatedAt?: string
}

const FLOW_FILE = 'flow.json'

export async function readFlow(backupDir: string): Promise<TempFlowState | undefined> {
  return fs
    .readFile(path.join(backupDir, FLOW_FILE), 'utf8')
    .then((t) => JSON.parse(t) as TempFlowState)
    .catch(() => undefined)
}

export async function writeFlow(backupDir: string, state: TempFlowState): Promise<void> {
  const file = path.join(backupDir, FLOW_FILE)
  await fs.writeFile(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n')
  await fs.rename(`${file}.tmp`, file)
}
