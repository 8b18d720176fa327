import type { ProgressEvent, Reporter } from '../engine/context.js'
import { formatDuration, progressLine } from '../report/text.js'
import type { ProgressStyle } from './options.js'
import type { Style } from './style.js'

/** A Reporter that may own the bottom of the terminal until stop() (safe to call twice). */
export interface CliReporter extends Reporter {
  stop(): void
}

export type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number }

export function cliReporter(progress: ProgressStyle, out: Out, colors: Style): CliReporter {
  return progress === 'bars' ? new BarsReporter(out, colors) : linesReporter(out, colors, progress === 'lines')
}

/** What the action logs, one line each: for CI logs, pipes and files. */
function linesReporter(out: Out, colors: Style, showProgress: boolean): CliReporter {
  return {
    info: (message) => out.write(`${message}\n`),
    warn: (message) => out.write(`${colors.yellow('warning:')} ${message}\n`),
    progress: (event) => {
      if (showProgress) out.write(`${progressLine(event)}\n`)
    },
    stop: () => {}
  }
}

const BAR_WIDTH = 24
const ESC = '\u001b['

/**
 * Live bars, one per table and phase in progress, kept at the bottom of the terminal: messages
 * and finished phases are printed above them and scroll away; the bars are redrawn in place.
 * Forced onto a pipe (--progress=bars), each update is a new line instead.
 */
class BarsReporter implements CliReporter {
  /** Bars redraw in place, so they can move often. */
  readonly progressIntervalMs = 500
  private readonly live = new Map<string, ProgressEvent>()
  /** Lines of the live region now on the screen, below the cursor's first line. */
  private drawn = 0
  private tableWidth = 0

  constructor(
    private readonly out: Out,
    private readonly colors: Style
  ) {}

  info(message: string): void {
    this.print(message)
  }

  warn(message: string): void {
    this.print(`${this.colors.yellow('warning:')} ${message}`)
  }

  progress(event: ProgressEvent): void {
    const key = `${event.phase} ${event.table}`
    this.tableWidth = Math.max(this.tableWidth, event.table.length)
    if (event.final) {
      this.live.delete(key)
      this.print(this.bar(event))
    } else if (this.out.isTTY) {
      this.live.set(key, event)
      this.redraw()
    } else {
      this.out.write(`${this.bar(event)}\n`)
    }
  }

  /** Leaves the bars still in progress (after Ctrl-C or an error) on the screen as they last were. */
  stop(): void {
    if (!this.out.isTTY || (!this.drawn && !this.live.size)) return
    const last = [...this.live.values()].map((e) => `${this.bar(e)}\n`).join('')
    this.live.clear()
    this.redraw(last)
  }

  /** A line above the live bars (or simply a line, on a pipe). */
  private print(line: string): void {
    if (!this.out.isTTY) {
      this.out.write(`${line}\n`)
      return
    }
    this.redraw(`${line}\n`)
  }

  /** Erases the bars, writes `above`, draws the bars again; the cursor stays hidden while any are shown. */
  private redraw(above = ''): void {
    const width = Math.max(20, (this.out.columns || 80) - 1)
    const room = Math.max(1, (this.out.rows || 24) - 2)
    const events = [...this.live.values()]
    const lines = events.slice(0, room).map((e) => fit(this.bar(e), width))
    if (events.length > room) lines[room - 1] = `… and ${events.length - room + 1} more tables in progress`
    const up = this.drawn ? `${ESC}${this.drawn}A` : ''
    const cursor = lines.length ? `${ESC}?25l` : `${ESC}?25h`
    this.out.write(`${up}\r${ESC}J${above}${lines.map((l) => `${l}\n`).join('')}${cursor}`)
    this.drawn = lines.length
  }

  /** `copy   qa-order-tracking  ██████░░░░  25%  12,500 / 50,000 items  4,210 items/s  ETA 9 s` */
  private bar(e: ProgressEvent): string {
    const n = (v: number) => Math.round(v).toLocaleString('en-US')
    const head = `${e.phase.padEnd(7)}${e.table.padEnd(this.tableWidth + 2)}`
    const rate = `${n(e.rate)} items/s`
    const done = e.final ? `  ${this.colors.green('done')}` : ''
    if (!e.total) return `${head}${this.colors.dim('·'.repeat(BAR_WIDTH))}       ${n(e.done)} items  ${rate}${done}`
    const fraction = Math.min(1, e.done / e.total)
    const filled = Math.round(fraction * BAR_WIDTH)
    const bar = `${this.colors.green('█'.repeat(filled))}${this.colors.dim('░'.repeat(BAR_WIDTH - filled))}`
    const pct = `${Math.floor(fraction * 100)}%`.padStart(5)
    const eta = !e.final && e.etaSeconds !== undefined ? `  ETA ${formatDuration(e.etaSeconds * 1000)}` : ''
    return `${head}${bar}${pct}  ${n(e.done)} / ${n(e.total)} items  ${rate}${eta}${done}`
  }
}

/** A bar line cut to the screen's width, so it never wraps (a wrapped line would break the redraw). */
function fit(line: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
  return visible.length <= width ? line : `${visible.slice(0, width - 1)}…`
}
