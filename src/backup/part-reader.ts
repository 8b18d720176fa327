import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { JsonItem } from '../dynamo/attribute-json.js'
import { MigrationError, errorMessage } from '../errors.js'
import type { BackupFileEntry, LoadedBackup } from './manifest.js'

export interface ReadItem {
  item: JsonItem
  /** Length of the item's JSON line, a cheap estimate of its request size. */
  bytes: number
  /** 1-based line number in its file, for checkpoints and error messages. */
  line: number
}

/**
 * Checks that every file the manifest lists exists with the recorded size and SHA-256, before
 * anything is read from it: a truncated or edited backup is refused before a single write.
 */
export async function checkBackupFiles(backup: LoadedBackup): Promise<void> {
  const { manifest } = backup
  const sum = manifest.files.reduce((a, f) => a + f.count, 0)
  if (sum !== manifest.itemCount) {
    throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: the manifest says ${manifest.itemCount} items but its files add up to ${sum}`)
  }
  for (const entry of manifest.files) {
    const file = path.join(backup.dir, entry.path)
    const stat = await fs.stat(file).catch(() => undefined)
    if (!stat) throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} is missing from ${backup.dir}`)
    if (stat.size !== entry.bytes) {
      throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} has ${stat.size} bytes, the manifest says ${entry.bytes} (truncated or replaced)`)
    }
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    if (hash.digest('hex') !== entry.sha256) {
      throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} does not match its SHA-256 in the manifest (corrupted or edited)`)
    }
    // The SHA-256 only covers the data file, not the manifest: an edited count (or a file
    // re-signed after an edit) must still be refused here, before the copy writes anything.
    const lines = await countItemLines(file, entry.path)
    if (lines !== entry.count) {
      throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} holds ${lines} items, the manifest says ${entry.count}`)
    }
  }
}

/** Non-empty lines of a gzipped JSON-lines file (what readPart yields), without parsing them. */
async function countItemLines(file: string, name: string): Promise<number> {
  const input = createReadStream(file).pipe(createGunzip())
  const lines = createInterface({ input, crlfDelay: Infinity })
  let count = 0
  try {
    for await (const text of lines) if (text.length > 0) count++
  } catch (error) {
    throw new MigrationError('BACKUP_INVALID', `Backup file ${name} cannot be read after ${count} items: ${errorMessage(error)}`)
  } finally {
    lines.close()
    input.destroy()
  }
  return count
}

/** Streams the items of one backup file, line by line, from `fromLine` on (1-based). */
export async function* readPart(dir: string, entry: Pick<BackupFileEntry, 'path'>, fromLine = 1): AsyncGenerator<ReadItem> {
  const file = path.join(dir, entry.path)
  const input = createReadStream(file).pipe(createGunzip())
  const lines = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of lines) {
      line++
      if (line < fromLine || text.length === 0) continue
      yield { item: parseItemLine(text, entry.path, line), bytes: text.length, line }
    }
  } catch (error) {
    if (error instanceof MigrationError) throw error
    throw new MigrationError('BACKUP_INVALID', `Backup file ${entry.path} cannot be read after line ${line}: ${errorMessage(error)}`)
  } finally {
    lines.close()
    input.destroy()
  }
}

export function parseItemLine(text: string, file: string, line: number): JsonItem {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new MigrationError('BACKUP_INVALID', `Backup file ${file}, line ${line}: not JSON (${errorMessage(error)})`)
  }
  const item = (parsed as { Item?: unknown }).Item
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new MigrationError('BACKUP_INVALID', `Backup file ${file}, line ${line}: expected {"Item": {...}}`)
  }
  return item as JsonItem
}
