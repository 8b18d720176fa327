import type { CreateTableInput } from '@aws-sdk/client-dynamodb'
import type { KeyedDiff } from './keyed-diff.js'
import type { SchemaDiff } from '../dynamo/schema-diff.js'
import type { Refusal } from './preflight.js'

export type Mode = 'plan' | 'migrate' | 'verify' | 'delete' | 'restore' | 'to-temp' | 'delete-source' | 'from-temp' | 'drop-temp'

/** `copied`: one shard of a fanned-out migration, copied; verified only by a combined `verify`. */
export type Status = 'planned' | 'verified' | 'mismatch' | 'deleted' | 'refused' | 'failed' | 'in-sync' | 'copied'

/** What one pair ended with: one entry of the `result` output. */
export interface MigrationResult {
  source: string
  target: string
  mode: Mode
  status: Status
  error?: { code: string; message: string }
  itemsScanned?: number
  itemsWritten?: number
  itemsVerified?: number
  expected?: { count: number; digest: string }
  actual?: { count: number; digest: string }
  diff?: KeyedDiff
  backup?: { dir: string; manifest: string; artifact?: string; artifactId?: number }
  durationMs: number
  itemsPerSecond?: number
  warnings: string[]
  plan?: PlanDetails
  /** Where the temp-table flow stands (temp-table phases only). */
  flow?: FlowSummary
  /** The live phase (live migration only): src/engine/live.ts. */
  live?: LiveSummary
}

export interface LiveSummary {
  streamArn: string
  recordsApplied: number
  peakLagSeconds: number
  finalLagSeconds: number
  inSyncSeconds: number
  stoppedBecause: 'quiet' | 'duration' | 'cutover' | 'check-only' | 'failed'
  /** The final check: passed means nothing written to the source is missing from the target. */
  check?: { passed: boolean; kind?: 'source-equals-target' | 'source-equals-replay'; differingKeys?: number; writesRunning?: boolean }
}

export interface FlowSummary {
  temp: string
  phase: 'to-temp' | 'delete-source' | 'from-temp' | 'drop-temp'
  completed: Array<'to-temp' | 'delete-source' | 'from-temp' | 'drop-temp'>
  sourceDeletedAt?: string
  targetCreatedAt?: string
  /** Seconds between the delete of the original and the creation of the IaC-made table. */
  absentSeconds?: number
}

export interface PlanDetails {
  sourceExists: boolean
  targetExists: boolean
  targetHasItems?: boolean
  /** Counted by a `Select: COUNT` scan. */
  sourceItemCount?: number
  /** DescribeTable's estimate (updated about every six hours), shown beside the real count. */
  sourceApproximateItemCount?: number
  sourceApproximateBytes?: number
  targetAction: 'create' | 'use-existing' | 'none'
  targetCreateInput?: CreateTableInput
  schemaDiff?: SchemaDiff
  estimatedSeconds?: number
  refusals: Refusal[]
  deleteRefusals: Refusal[]
}
