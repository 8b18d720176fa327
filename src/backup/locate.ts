import { promises as fs } from 'node:fs'
import path from 'node:path'
import { MigrationError } from '../errors.js'
import { MANIFEST_FILE, readManifest, type LoadedBackup } from './manifest.js'
import { combineShards } from './shards.js'

/**
 * Finds the backup of `table` at `location`: a manifest.json, a backup folder, or a folder of
 * backup folders (the backup-dir, or downloaded artifacts), where the newest backup of that
 * table wins. When the newest is a shard backup (a fanned-out migration) and the folder holds
 * backups of several shards, they are combined into one backup of the whole table.
 */
export async function locateBackup(location: string, table: string, accept: (backup: LoadedBackup) => Promise<boolean> = async () => true): Promise<LoadedBackup> {
  const stat = await fs.stat(location).catch(() => undefined)
  if (!stat) throw new MigrationError('BACKUP_INVALID', `No backup found for ${table}: ${location} does not exist`)
  if (!stat.isDirectory() || (await exists(path.join(location, MANIFEST_FILE)))) {
    const backup = await readManifest(location)
    if (backup.manifest.table.name !== table) {
      throw new MigrationError('BACKUP_MISMATCH', `The backup at ${location} is of table ${backup.manifest.table.name}, not ${table}`)
    }
    return backup
  }
  const candidates: LoadedBackup[] = []
  for (const manifest of await findManifests(location, 3)) {
    const backup = await readManifest(manifest)
    if (backup.manifest.table.name === table && (await accept(backup))) candidates.push(backup)
  }
  candidates.sort((a, b) => b.manifest.finishedAt.localeCompare(a.manifest.finishedAt))
  const newest = candidates[0]
  if (!newest) throw new MigrationError('BACKUP_INVALID', `No backup of ${table} under ${location}: run mode migrate first, or point the backup input at its folder or artifact`)
  // The newest is one shard of a fanned-out migration. Backups of that shard only: the newest
  // (a shard job resuming; verify refuses it as partial). Backups of several shards: together
  // they are the table's backup (a missing, duplicated or foreign shard is refused).
  if (newest.manifest.scan.shardCount !== undefined) {
    const shards = candidates.filter((b) => b.manifest.scan.shardCount !== undefined)
    const indexes = new Set(shards.map((b) => `${b.manifest.scan.shard ?? 0}/${b.manifest.scan.shardCount}`))
    return indexes.size === 1 ? newest : combineShards(shards)
  }
  return newest
}

async function exists(file: string): Promise<boolean> {
  return !!(await fs.stat(file).catch(() => undefined))
}

async function findManifests(dir: string, depth: number): Promise<string[]> {
  if (depth < 0) return []
  const found: string[] = []
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isFile() && entry.name === MANIFEST_FILE) found.push(full)
    else if (entry.isDirectory() && entry.name !== 'data') found.push(...(await findManifests(full, depth - 1)))
  }
  return found
}
