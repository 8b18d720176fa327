import { MODES } from '../constants.js'

/** A mode the action accepts; the CLI offers each as a subcommand, passed through unchanged. */
export type CliMode = (typeof MODES)[number]

/**
 * One line of help per mode. A mode missing here still gets its subcommand (with a generic
 * line), so a mode added to MODES works from the terminal without a change to the CLI.
 */
const MODE_HELP: Readonly<Record<string, string>> = {
  plan: 'read-only dry run: what migrate would create, copy and refuse (nothing is written)',
  migrate: 'back up each source, create or check its target, copy, verify count + digest',
  verify: "check each target against its source's backup (count + content digest)",
  delete: 'delete each source, once its target still matches the backup (asks for the name)',
  restore: "write a backup (this tool's, `aws dynamodb scan` JSON, or an S3 export) into the target, verified",
  'to-temp': 'temp-table flow 1/4: copy the source into a temporary table, verified',
  'delete-source': 'temp-table flow 2/4: delete the source, gated as delete (asks for the name); then deploy IaC',
  'from-temp': 'temp-table flow 3/4: copy the temporary table into the table IaC made, verified',
  'drop-temp': 'temp-table flow 4/4: drop the temporary table once the target still matches',
  drift: 'read-only: check every table name against a naming convention (and an IaC template), propose the migrations'
}

export function modeDescription(mode: string): string {
  return MODE_HELP[mode] ?? `run mode "${mode}" (as the action's mode input; see action.yml)`
}

/** Modes that delete a table: they ask for its name on a terminal, or need --confirm-delete. */
export const DELETING_MODES: ReadonlySet<string> = new Set(['delete', 'delete-source'])

export { MODES }
