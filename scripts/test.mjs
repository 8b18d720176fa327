#!/usr/bin/env node
// `npm test`: runs jest. As root, it re-runs itself inside a loopback-only network namespace
// (unshare -n) so the official DynamoDB Local can be started safely beside dynalite; without
// that, the DynamoDB Local suites are skipped and say so.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { isLoopbackOnly } from './local-servers.mjs'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

function canUnshare() {
  if (process.getuid?.() !== 0) return false
  const probe = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' })
  return probe.status === 0
}

if (!isLoopbackOnly() && process.env.NO_NETNS !== '1' && canUnshare()) {
  const inner = `ip link set lo up && exec "${process.execPath}" "${process.argv[1]}" "$@"`
  const r = spawnSync('unshare', ['-n', 'sh', '-c', inner, 'sh', ...args], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}

if (!isLoopbackOnly()) {
  console.warn('note: not in a loopback-only network namespace (needs root and unshare): DynamoDB Local suites are skipped; dynalite suites run.')
}
const jest = require.resolve('jest/bin/jest')
const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...args], { stdio: 'inherit' })
process.exit(r.status ?? 1)
