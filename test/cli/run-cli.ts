// Runs the committed CLI bundle (bin/dynamodb-migrate.js → dist/cli) as a child process, as a
// user or a script would. Not a test file itself: jest only runs *.test.ts. Nothing here rebuilds.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { dynaliteEndpoint } from '../helpers/dynamo.js'

export const BIN = path.resolve('bin/dynamodb-migrate.js')

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Added to (or, with undefined, removed from) the base environment. */
  env?: Record<string, string | undefined>
  /** Written to stdin when the text `when` appears on stdout or stderr (stdin then closes). */
  answer?: { when: string; text: string }
  timeoutMs?: number
}

/**
 * The base environment: static local keys (the server takes any), no shared config files (so a
 * developer's own ~/.aws never leaks in), no instance-metadata lookups, no Node 20 SDK notice.
 */
export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'
  }
}

/** The flags every run against the local server needs. */
export function local(): string[] {
  return ['--region', 'us-east-1', '--endpoint-url', dynaliteEndpoint()]
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return run(process.execPath, [BIN, ...args], options)
}

/** `script` from util-linux gives the CLI a real pseudo-terminal (stdin, stdout and stderr). */
export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0

/** Runs the CLI under a pseudo-terminal; stdout and stderr arrive merged, as on a screen. */
export function runCliInPty(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ')
  return run('script', ['-qec', `stty cols 120 2>/dev/null; exec ${command}`, '/dev/null'], options)
}

function run(file: string, args: string[], options: RunOptions): Promise<CliRun> {
  const env: Record<string, string> = baseEnv()
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let answered = false
  const onData = () => {
    if (!options.answer || answered || !(stdout + stderr).includes(options.answer.when)) return
    answered = true
    child.stdin.write(options.answer.text)
  }
  child.stdout.on('data', (d) => {
    stdout += d
    onData()
  })
  child.stderr.on('data', (d) => {
    stderr += d
    onData()
  })
  // Without an answer to give, stdin closes at once (as under CI); `script` keeps it open.
  if (!options.answer && file !== 'script') child.stdin.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      child.stdin.destroy()
      resolve({ code: code ?? -1, stdout, stderr })
    })
  )
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** Strips ANSI escape sequences, for asserting on what a terminal would show. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
}
