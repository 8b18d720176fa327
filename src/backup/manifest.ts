import { promises as fs } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { MigrationError, errorMessage } from '../errors.js'
import type { TableSchema } from '../dynamo/table-schema.js'

export const MANIFEST_FORMAT = 'dynamodb-table-migrate/backup@1'
export const MANIFEST_FILE = 'manifest.json'

const fileEntry = z.object({
  /** Path relative to the manifest's folder. */
  path: z.string().min(1),
  segment: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** Size of the gzipped file and SHA-256 of its bytes, to catch truncation and tampering. */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/)
})

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  toolVersion: z.string(),
  table: z.object({
    name: z.string(),
    arn: z.string().optional(),
    region: z.string().optional(),
    schema: z.custom<TableSchema>((v) => typeof v === 'object' && v !== null && 'createTable' in v, 'schema.createTable is required'),
    approximateItemCount: z.number().optional()
  }),
  scan: z.object({
    totalSegments: z.number().int().positive(),
    segments: z.array(z.number().int().nonnegative()),
    consistentRead: z.boolean(),
    shard: z.number().int().nonnegative().optional(),
    shardCount: z.number().int().positive().optional()
  }),
  itemCount: z.number().int().nonnegative(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** Uncompressed JSON-lines bytes. */
  bytes: z.number().int().nonnegative(),
  files: z.array(fileEntry),
  startedAt: z.string(),
  finishedAt: z.string()
})

export type BackupManifest = z.infer<typeof manifestSchema>
export type BackupFileEntry = z.infer<typeof fileEntry>

/** A manifest with the folder it was read from (file paths are relative to it). */
export interface LoadedBackup {
  dir: string
  manifest: BackupManifest
}

export async function writeManifest(dir: string, manifest: BackupManifest): Promise<string> {
  const file = path.join(dir, MANIFEST_FILE)
  await fs.writeFile(file, JSON.stringify(manifest, null, 2) + '\n')
  return file
}

/** Reads a backup by its folder or its manifest.json path. */
export async function readManifest(location: string): Promise<LoadedBackup> {
  const stat = await fs.stat(location).catch(() => undefined)
  if (!stat) throw new MigrationError('BACKUP_INVALID', `Backup not found: ${location} does not exist`)
  const file = stat.isDirectory() ? path.join(location, MANIFEST_FILE) : location
  let raw: unknown
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'))
  } catch (error) {
    throw new MigrationError('BACKUP_INVALID', `Backup manifest ${file} cannot be read: ${errorMessage(error)}`)
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MigrationError('BACKUP_INVALID', `Backup manifest ${file} is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`)
  }
  return { dir: path.dirname(file), manifest: parsed.data }
}
