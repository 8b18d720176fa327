import type { MigrationResult } from '../../src/engine/result.js'

/** Results as plan and migrate return them, for the report tests. */
export function planResults(): MigrationResult[] {
  return [
    {
      source: 'orders',
      target: 'orders-v2',
      mode: 'plan',
      status: 'planned',
      durationMs: 850,
      warnings: ['orders: DescribeTable item count is an estimate'],
      plan: {
        sourceExists: true,
        targetExists: true,
        targetHasItems: false,
        sourceItemCount: 1234567,
        sourceApproximateItemCount: 1200000,
        targetAction: 'use-existing',
        estimatedSeconds: 125,
        schemaDiff: { blocking: ['global secondary index gsi1: missing on the target'], warnings: ['billing mode: source PAY_PER_REQUEST, target PROVISIONED'] },
        refusals: [{ code: 'SCHEMA_MISMATCH', message: 'orders-v2 has a different schema' }],
        deleteRefusals: [{ code: 'DELETE_REFUSED', message: 'orders is not listed in confirm-delete' }]
      },
      error: { code: 'SCHEMA_MISMATCH', message: 'orders-v2 | differs:\nsee below' }
    },
    {
      source: 'users',
      target: 'users-v2',
      mode: 'plan',
      status: 'planned',
      durationMs: 100,
      warnings: ['orders: DescribeTable item count is an estimate'],
      plan: { sourceExists: true, targetExists: false, targetAction: 'create', refusals: [], deleteRefusals: [] }
    }
  ]
}

const DIGEST = 'abcdef0123456789'.repeat(4)
const OTHER = '0123456789abcdef'.repeat(4)

export function migrateResults(): MigrationResult[] {
  return [
    {
      source: 'orders',
      target: 'orders-v2',
      mode: 'migrate',
      status: 'verified',
      itemsScanned: 20000,
      itemsWritten: 20000,
      itemsVerified: 20000,
      expected: { count: 20000, digest: DIGEST },
      actual: { count: 20000, digest: DIGEST },
      backup: { dir: 'dynamodb-backups/orders-20240501', manifest: 'dynamodb-backups/orders-20240501/manifest.json', artifact: 'dynamodb-backup-orders' },
      durationMs: 95_000,
      itemsPerSecond: 4210,
      warnings: []
    },
    {
      source: 'users',
      target: 'users-v2',
      mode: 'migrate',
      status: 'mismatch',
      itemsScanned: 10,
      itemsWritten: 10,
      itemsVerified: 9,
      expected: { count: 10, digest: DIGEST },
      actual: { count: 9, digest: OTHER },
      diff: { missing: 1, extra: 0, changed: 0, examples: [{ kind: 'missing', key: 'id="u-7"' }] },
      backup: { dir: 'dynamodb-backups/users-20240501', manifest: 'dynamodb-backups/users-20240501/manifest.json' },
      durationMs: 4_000,
      warnings: ['users-v2 was written to during the copy'],
      error: { code: 'VERIFY_MISMATCH', message: 'users-v2 has 9 items, the backup 10' }
    }
  ]
}

export { DIGEST, OTHER }
