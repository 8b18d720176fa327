import { promises as fs } from 'node:fs'
import path from 'node:path'

interface CheckpointFile {
  target: string
  /** Per backup file: every line up to this one (1-based, inclusive) is written to the target. */
  linesDone: Record<string, number>
  updatedAt: string
}

/**
 * Where a copy from a backup into a target has got to, saved beside the backup so a copy that
 * died (runner lost, cancelled, SIGKILL) resumes instead of starting over. Batches finish out
 * of order; only the contiguous prefix of each file counts as done, so a resume may re-send a
 * few batches (at most the ones that were in flight) — harmless, a PutRequest is idempotent.
 */
export class CopyCheckpoint {
  private readonly ahead = new Map<string, Set<number>>()
  private dirty = false
  private lastSave = 0
  /** Saves run one after another: concurrent writers share one temporary file. */
  private saving: Promise<void> = Promise.resolve()

  private constructor(
    private readonly file: string,
    private readonly state: CheckpointFile,
    private readonly saveEveryMs: number
  ) {}

  static fileFor(backupDir: string, target: string): string {
    return path.join(backupDir, `copy-${target}.checkpoint.json`)
  }

  static async load(backupDir: string, target: string, saveEveryMs = 500): Promise<CopyCheckpoint> {
    const file = CopyCheckpoint.fileFor(backupDir, target)
    const saved = await fs
      .readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as CheckpointFile)
      .catch(() => undefined)
    const state = saved && saved.target === target ? saved : { target, linesDone: {}, updatedAt: new Date().toISOString() }
    return new CopyCheckpoint(file, state, saveEveryMs)
  }

  linesDone(file: string): number {
    return this.state.linesDone[file] ?? 0
  }

  get totalDone(): number {
    return Object.values(this.state.linesDone).reduce((a, b) => a + b, 0)
  }

  markDone(file: string, line: number): void {
    let ahead = this.ahead.get(file)
    if (!ahead) this.ahead.set(file, (ahead = new Set()))
    ahead.add(line)
    let done = this.linesDone(file)
    while (ahead.delete(done + 1)) done++
    if (done !== this.linesDone(file)) {
      this.state.linesDone[file] = done
      this.dirty = true
    }
  }

  /** Writes the checkpoint (atomically) at most every `saveEveryMs`, or now when `force`. */
  save(force = false): Promise<void> {
    if (!this.dirty || (!force && Date.now() - this.lastSave < this.saveEveryMs)) return this.saving
    this.dirty = false
    this.lastSave = Date.now()
    this.saving = this.saving.then(async () => {
      this.state.updatedAt = new Date().toISOString()
      const tmp = `${this.file}.${process.pid}.tmp`
      await fs.writeFile(tmp, JSON.stringify(this.state))
      await fs.rename(tmp, this.file)
    })
    return this.saving
  }
}
