import { createHash } from 'node:crypto'
import { createWriteStream, promises as fs } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { JsonItem } from '../dynamo/attribute-json.js'
import { ContentDigest } from '../dynamo/digest.js'
import type { BackupFileEntry } from './manifest.js'

/**
 * Writes one backup part: gzipped JSON lines, one `{"Item": …}` a line, the format of
 * DynamoDB's own export to S3 (DYNAMODB_JSON). Lines go out with backpressure, so memory holds
 * at most one scan page, whatever the table's size.
 */
export class PartWriter {
  private readonly gzip = createGzip({ level: 6 })
  private readonly fileHash = createHash('sha256')
  private compressedBytes = 0
  private readonly done: Promise<void>
  readonly digest = new ContentDigest()
  private rawBytes = 0

  constructor(
    private readonly dir: string,
    readonly relativePath: string,
    private readonly segment: number
  ) {
    const hashing = new Transform({
      transform: (chunk: Buffer, _enc, callback) => {
        this.fileHash.update(chunk)
        this.compressedBytes += chunk.length
        callback(null, chunk)
      }
    })
    this.done = pipeline(this.gzip, hashing, createWriteStream(path.join(dir, relativePath)))
    // Surface a failed pipeline on the next write rather than as an unhandled rejection.
    this.done.catch(() => {})
  }

  static async open(dir: string, relativePath: string, segment: number): Promise<PartWriter> {
    await fs.mkdir(path.dirname(path.join(dir, relativePath)), { recursive: true })
    return new PartWriter(dir, relativePath, segment)
  }

  async write(item: JsonItem): Promise<string> {
    const hash = this.digest.add(item)
    const line = '{"Item":' + JSON.stringify(item) + '}\n'
    this.rawBytes += Buffer.byteLength(line)
    if (!this.gzip.write(line)) await Promise.race([once(this.gzip, 'drain'), this.done])
    return hash
  }

  get bytes(): number {
    return this.rawBytes
  }

  async close(): Promise<BackupFileEntry> {
    this.gzip.end()
    await this.done
    return {
      path: this.relativePath,
      segment: this.segment,
      count: this.digest.count,
      digest: this.digest.digest,
      bytes: this.compressedBytes,
      sha256: this.fileHash.digest('hex')
    }
  }
}
