import { CommanderError } from 'commander'
import type { MigrationResult, Status } from '../engine/result.js'
import { MigrationError } from '../errors.js'

/** What scripts can rely on (documented in the README's "From your terminal"). */
export enum ExitCode {
  /** Every migration did what its mode asked (planned, verified, deleted, …). */
  Done = 0,
  /** At least one migration failed (an AWS error, writes left undone, a verify mismatch), or the tool itself did. */
  Failed = 1,
  /** Refused before anything was changed: bad flags or migrations, no credentials, or a safety gate. */
  Refused = 2,
  /** Stopped with Ctrl-C (SIGINT). */
  Interrupted = 130
}

/** The statuses that make a run unsuccessful, as the action's own check (src/main.ts). */
const BAD: ReadonlySet<Status> = new Set<Status>(['failed', 'refused', 'mismatch'])

/** 0 when nothing went wrong; 2 when everything that went wrong was a refusal; 1 otherwise. */
export function exitCodeForResults(results: MigrationResult[]): ExitCode {
  const bad = results.filter((r) => BAD.has(r.status))
  if (bad.length === 0) return ExitCode.Done
  return bad.every((r) => r.status === 'refused') ? ExitCode.Refused : ExitCode.Failed
}

/** An error that stopped the run before (or outside) any table: refusals and usage errors are 2. */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof MigrationError) return error.isRefusal ? ExitCode.Refused : ExitCode.Failed
  if (error instanceof CommanderError) return ExitCode.Refused
  return ExitCode.Failed
}
