import { promises as fs } from 'node:fs'
import path from 'node:path'
import { MigrationError } from '../errors.js'
import { MANIFEST_FILE } from './manifest.js'

/**
 * The three kinds of backup `restore` reads:
 * - `native`: this tool's folder (manifest.json + data/*.json.gz);
 * - `scan-json`: the output of `aws dynamodb scan --output json` (one file, or several pages
 *   as several files or concatenated in one file), the article's backup-order-tracking-qa.json;
 * - `s3-export`: DynamoDB's export to S3 in DYNAMODB_JSON, downloaded (data/*.json.gz of
 *   `{"Item": …}` lines, with or without manifest-summary.json).
 */
export type BackupFormat = 'native' | 'scan-json' | 's3-export'

export interface DetectedBackup {
  format: BackupFormat
  /** For foreign formats, the data files in a stable order. */
  files: string[]
}

export async function detectBackupFormat(location: string): Promise<DetectedBackup> {
  const stat = await fs.stat(location).catch(() => undefined)
  if (!stat) throw new MigrationError('BACKUP_INVALID', `Backup not found: ${location} does not exist`)
  if (stat.isFile()) {
    if (path.basename(location) === MANIFEST_FILE) return { format: 'native', files: [] }
    if (/\.json\.gz$/i.test(location)) return { format: 's3-export', files: [path.resolve(location)] }
    if (/\.json$/i.test(location)) return { format: 'scan-json', files: [path.resolve(location)] }
    throw new MigrationError('BACKUP_INVALID', `${location}: not a backup this tool reads (expected manifest.json, *.json from aws dynamodb scan, or *.json.gz from an S3 export)`)
  }
  if (await exists(path.join(location, MANIFEST_FILE))) return { format: 'native', files: [] }
  const all = (await listFiles(path.resolve(location))).sort()
  const gz = all.filter((f) => /\.json\.gz$/i.test(f))
  if (gz.length) return { format: 's3-export', files: gz }
  const json = all.filter((f) => /\.json$/i.test(f) && !/manifest-(summary|files)\.json$/.test(f))
  if (json.length) return { format: 'scan-json', files: json }
  throw new MigrationError('BACKUP_INVALID', `${location}: no backup found (no manifest.json, *.json.gz or *.json files)`)
}

async function exists(file: string): Promise<boolean> {
  return !!(await fs.stat(file).catch(() => undefined))
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out
}
