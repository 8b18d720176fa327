// The backup part format on disk: what PartWriter writes, readPart reads back line by line (a
// line split across decompressed chunks, CRLF, empty lines, no final newline), and
// checkBackupFiles refuses a file whose bytes, size or line count differ from the manifest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import type { JsonItem } from '../../src/dynamo/attribute-json.js'
import { ContentDigest } from '../../src/dynamo/digest.js'
import type { BackupFileEntry, LoadedBackup } from '../../src/backup/manifest.js'
import { checkBackupFiles, readPart } from '../../src/backup/part-reader.js'
import { PartWriter } from '../../src/backup/part-writer.js'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddb-parts-'))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const item = (i: number, pad = 10): JsonItem => ({ id: { S: `item-${i}` }, n: { N: String(i) }, text: { S: 'é€😀'.repeat(pad) } })

async function readAll(entry: Pick<BackupFileEntry, 'path'>, from = 1) {
  const out: Array<{ id: string; line: number; bytes: number }> = []
  for await (const r of readPart(dir, entry, from)) out.push({ id: (r.item.id as { S: string }).S, line: r.line, bytes: r.bytes })
  return out
}

function backupOf(entries: BackupFileEntry[]): LoadedBackup {
  const total = ContentDigest.combine(entries)
  return {
    dir,
    manifest: {
      format: 'dynamodb-table-migrate/backup@1',
      toolVersion: 'test',
      table: { name: 'parts', schema: { createTable: { TableName: 'parts' } } },
      scan: { totalSegments: entries.length, segments: entries.map((e) => e.segment), consistentRead: false },
      itemCount: total.count,
      digest: total.digest,
      bytes: 0,
      files: entries,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z'
    }
  }
}

describe('PartWriter → readPart', () => {
  it('round-trips thousands of items, multi-byte text and items larger than a decompressed chunk', async () => {
    const writer = await PartWriter.open(dir, 'data/segment-0-of-1.json.gz', 0)
    const items = Array.from({ length: 3000 }, (_, i) => item(i, i % 500 === 0 ? 20_000 : 10))
    for (const it of items) await writer.write(it)
    const lines = items.map((it) => '{"Item":' + JSON.stringify(it) + '}\n').join('')
    expect(writer.bytes).toBe(Buffer.byteLength(lines))
    const entry = await writer.close()
    expect(writer.bytes).toBe(Buffer.byteLength(lines))
    expect(gunzipSync(await fs.readFile(path.join(dir, entry.path))).toString('utf8')).toBe(lines)
    expect(entry.count).toBe(3000)
    const back = await readAll(entry)
    expect(back.map((r) => r.id)).toEqual(items.map((_, i) => `item-${i}`))
    expect(back.map((r) => r.line)).toEqual(items.map((_, i) => i + 1))
    const expected = new ContentDigest()
    for await (const r of readPart(dir, entry)) expected.add(r.item)
    expect(expected.digest).toBe(entry.digest)
    await expect(checkBackupFiles(backupOf([entry]))).resolves.toBeUndefined()
  })

  it('resumes from a given line', async () => {
    const writer = await PartWriter.open(dir, 'data/resume.json.gz', 0)
    for (let i = 0; i < 100; i++) await writer.write(item(i))
    const entry = await writer.close()
    expect((await readAll(entry, 61)).map((r) => r.line)).toEqual(Array.from({ length: 40 }, (_, i) => 61 + i))
  })
})

describe('readPart on files written by other tools', () => {
  it('reads CRLF lines, skips empty lines (counting them), and reads a last line without a newline', async () => {
    const line = (i: number) => JSON.stringify({ Item: item(i) })
    const text = `${line(1)}\r\n\r\n${line(2)}\n\n${line(3)}`
    await fs.writeFile(path.join(dir, 'foreign.json.gz'), gzipSync(text))
    expect(await readAll({ path: 'foreign.json.gz' })).toEqual([
      { id: 'item-1', line: 1, bytes: line(1).length },
      { id: 'item-2', line: 3, bytes: line(2).length },
      { id: 'item-3', line: 5, bytes: line(3).length }
    ])
  })

  it('refuses a line that is not {"Item": {...}}, naming file and line', async () => {
    await fs.writeFile(path.join(dir, 'bad.json.gz'), gzipSync(`${JSON.stringify({ Item: item(1) })}\n{"Item": [1]}\n`))
    await expect(readAll({ path: 'bad.json.gz' })).rejects.toMatchObject({ code: 'BACKUP_INVALID', message: expect.stringMatching(/bad\.json\.gz, line 2/) })
  })
})

describe('checkBackupFiles', () => {
  async function part(name: string, count: number): Promise<BackupFileEntry> {
    const writer = await PartWriter.open(dir, name, 0)
    for (let i = 0; i < count; i++) await writer.write(item(i))
    return writer.close()
  }

  it('refuses an edited count even when the file is intact', async () => {
    const entry = await part('data/count.json.gz', 50)
    await expect(checkBackupFiles(backupOf([{ ...entry, count: 49 }]))).rejects.toMatchObject({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/holds 50 items, the manifest says 49/) })
  })

  it('refuses a file whose bytes differ (same size), and a truncated one, before reading any item', async () => {
    const entry = await part('data/flip.json.gz', 50)
    const file = path.join(dir, entry.path)
    const bytes = await fs.readFile(file)
    const middle = Math.floor(bytes.length / 2)
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff
    await fs.writeFile(file, bytes)
    await expect(checkBackupFiles(backupOf([entry]))).rejects.toMatchObject({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/does not match its SHA-256/) })
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 10))
    await expect(checkBackupFiles(backupOf([entry]))).rejects.toMatchObject({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/truncated or replaced/) })
  })

  it('refuses a file re-signed after an edit when its lines no longer match the count', async () => {
    const entry = await part('data/resigned.json.gz', 10)
    const file = path.join(dir, entry.path)
    const edited = gzipSync(Array.from({ length: 9 }, (_, i) => JSON.stringify({ Item: item(i) })).join('\n') + '\n')
    await fs.writeFile(file, edited)
    const resigned = { ...entry, bytes: edited.length, sha256: createHash('sha256').update(edited).digest('hex') }
    await expect(checkBackupFiles(backupOf([resigned]))).rejects.toMatchObject({ message: expect.stringMatching(/holds 9 items, the manifest says 10/) })
  })

  it('reports the first bad file in the manifest order when several are bad', async () => {
    const good = await part('data/order-0.json.gz', 5)
    const bad1 = await part('data/order-1.json.gz', 5)
    const bad2 = await part('data/order-2.json.gz', 5)
    const backup = backupOf([good, { ...bad1, count: 4, segment: 1 }, { ...bad2, path: 'data/missing.json.gz', segment: 2 }])
    await expect(checkBackupFiles(backup)).rejects.toMatchObject({ message: expect.stringMatching(/order-1\.json\.gz holds 5 items/) })
  })
})
