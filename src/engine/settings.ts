/** One rename: copy `source` into `target`. */
export interface MigrationPair {
  source: string
  target: string
}

/** What the engine needs to know, whichever front end (action or CLI) collected it. */
export interface EngineSettings {
  /** `if-missing`: create the target from the source's schema; `never`: it must exist (IaC). */
  createTarget: 'if-missing' | 'never'
  /** Copy into a target that already holds items (verification then checks containment). */
  allowNonEmptyTarget: boolean
  /** Parallel scan segments for backup and verify. */
  scanSegments: number
  /** Strongly consistent scans (twice the read cost). */
  consistentRead: boolean
  /** BatchWriteItem requests in flight per table. */
  writeConcurrency: number
  /** Items per second cap per table, 0 for none. */
  maxWriteRate: number
  /** Tables migrated at the same time. */
  tableConcurrency: number
  /** Folder under which each backup gets its own folder. */
  backupDir: string
  /** Region, recorded in manifests. */
  region?: string
  /** Source tables `delete` may remove. */
  confirmDelete: string[]
  /** Turn deletion protection off before deleting a confirmed source (otherwise refuse). */
  disableDeletionProtection: boolean
  /** Take an on-demand AWS backup (CreateBackup) right before deleting, where available. */
  awsBackupBeforeDelete: boolean
  /** Run only this shard's share of scan segments (fan-out across runners). */
  shard?: number
  shardCount?: number
  /** Live migration (copy while the application writes, then catch up through DynamoDB Streams): src/engine/live.ts. */
  live?: LiveSettings
}

/** `live: true` on `migrate`; docs/live-migration.md. */
export interface LiveSettings {
  enabled: boolean
  /** Turn on a NEW_AND_OLD_IMAGES stream on a source that has none (changes the source table). */
  allowEnableStream: boolean
  /** "In sync" when the replay is at most this many seconds behind the source. */
  syncLagSeconds: number
  /** Stop after staying in sync this long. */
  syncDurationSeconds?: number
  /** Stop once in sync and the source's stream has been silent this long. */
  quietSeconds?: number
  /** Stop (after draining until quiet) once this file exists: the cut-over signal. */
  cutoverFile?: string
  /** Sleep between polls that found no new stream record (default 1000 ms). */
  pollIntervalMs?: number
}

export const DEFAULT_SETTINGS: EngineSettings = {
  createTarget: 'if-missing',
  allowNonEmptyTarget: false,
  scanSegments: 4,
  consistentRead: false,
  writeConcurrency: 8,
  maxWriteRate: 0,
  tableConcurrency: 2,
  backupDir: 'dynamodb-backups',
  confirmDelete: [],
  disableDeletionProtection: false,
  awsBackupBeforeDelete: false
}
