import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
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
  // Files are checked side by side (decompression runs on libuv's threads); when several are
  // bad, the first in the manifest's order is reported.
  const failures: Array<{ index: number; error: unknown }> = []
  let next = 0
  const worker = async () => {
    while (next < manifest.files.length) {
      const index = next++
      await checkFile(backup, manifest.files[index] as BackupFileEntry).catch((error: unknown) => failures.push({ index, error }))
    }
  }
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, manifest.files.length) }, worker))
  const first = failures.sort((a, b) => a.index - b.index)[0]
  if (first) throw first.error
}

const CHECK_CONCURRENCY = 4

async function checkFile(backup: LoadedBackup, entry: BackupFileEntry): Promise<void> {
  const { manifest } = backup
  const file = path.join(backup.dir, entry.path)
  const stat = await fs.stat(file).catch(() => undefined)
  if (!stat) throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} is missing from ${backup.dir}`)
  if (stat.size !== entry.bytes) {
    throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} has ${stat.size} bytes, the manifest says ${entry.bytes} (truncated or replaced)`)
  }
  // One read: the SHA-256 of the bytes, and the item lines counted in the decompressed stream.
  // The SHA-256 only covers the data file, not the manifest: an edited count (or a file
  // re-signed after an edit) must still be refused here, before the copy writes anything.
  const notSigned = () => new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} does not match its SHA-256 in the manifest (corrupted or edited)`)
  const source = createReadStream(file)
  const hash = createHash('sha256')
  const hashed = new Promise<string>((resolve, reject) => {
    source.on('data', (chunk) => hash.update(chunk as Buffer))
    source.once('end', () => resolve(hash.digest('hex')))
    source.once('error', reject)
  })
  hashed.catch(() => {})
  let lines: number
  try {
    lines = await countItemLines(source.pipe(createGunzip()), entry.path)
  } catch (error) {
    source.destroy()
    // Unreadable: say whether the bytes are the ones the backup wrote.
    if ((await sha256Of(file)) !== entry.sha256) throw notSigned()
    throw error
  }
  if ((await hashed) !== entry.sha256) throw notSigned()
  if (lines !== entry.count) {
    throw new MigrationError('BACKUP_MISMATCH', `Backup of ${manifest.table.name}: file ${entry.path} holds ${lines} items, the manifest says ${entry.count}`)
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Non-empty lines of a decompressed JSON-lines stream (what readPart yields), without decoding them. */
async function countItemLines(input: Readable, name: string): Promise<number> {
  let count = 0
  try {
    for await (const range of lineRanges(input)) if (range.end > range.start) count++
  } catch (error) {
    throw new MigrationError('BACKUP_INVALID', `Backup file ${name} cannot be read after ${count} items: ${errorMessage(error)}`)
  } finally {
    input.destroy()
  }
  return count
}

const NEWLINE = 0x0a
const CR = 0x0d

/**
 * The lines of a byte stream as ranges of a buffer, split on "\n" (a byte no UTF-8 sequence
 * contains) with a trailing "\r" dropped: what readline yields, at a fraction of its cost, and
 * without decoding a line nobody reads. A line split across chunks is joined first.
 */
async function* lineRanges(input: AsyncIterable<Buffer>): AsyncGenerator<LineRange> {
  let pending: Buffer[] = []
  for await (const chunk of input) {
    let start = 0
    let nl = chunk.indexOf(NEWLINE)
    if (nl === -1) {
      pending.push(chunk)
      continue
    }
    if (pending.length) {
      const joined = Buffer.concat([...pending, chunk.subarray(0, nl)])
      pending = []
      yield trimmed(joined, 0, joined.length)
      start = nl + 1
      nl = chunk.indexOf(NEWLINE, start)
    }
    for (; nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      yield trimmed(chunk, start, nl)
      start = nl + 1
    }
    if (start < chunk.length) pending.push(chunk.subarray(start))
  }
  if (pending.length) {
    const last = Buffer.concat(pending)
    yield trimmed(last, 0, last.length)
  }
}

interface LineRange {
  buffer: Buffer
  start: number
  end: number
}

function trimmed(buffer: Buffer, start: number, end: number): LineRange {
  return { buffer, start, end: end > start && buffer[end - 1] === CR ? end - 1 : end }
}

/** Streams the items of one backup file, line by line, from `fromLine` on (1-based). */
export async function* readPart(dir: string, entry: Pick<BackupFileEntry, 'path'>, fromLine = 1): AsyncGenerator<ReadItem> {
  const file = path.join(dir, entry.path)
  const input = createReadStream(file).pipe(createGunzip())
  let line = 0
  try {
    for await (const { buffer, start, end } of lineRanges(input)) {
      line++
      if (line < fromLine || end === start) continue
      const text = buffer.toString('utf8', start, end)
      yield { item: parseItemLine(text, entry.path, line), bytes: text.length, line }
    }
  } catch (error) {
    if (error instanceof MigrationError) throw error
    throw new MigrationError('BACKUP_INVALID', `Backup file ${entry.path} cannot be read after line ${line}: ${errorMessage(error)}`)
  } finally {
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
