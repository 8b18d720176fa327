/** ANSI colours for a terminal; plain text for pipes, files and NO_COLOR. */
export interface Style {
  green(text: string): string
  red(text: string): string
  yellow(text: string): string
  dim(text: string): string
  bold(text: string): string
}

export function style(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const on = !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb'
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text)
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
}
