// The job summary through the real @actions/core summary writer, into a GITHUB_STEP_SUMMARY file.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { MigrationResult } from '../../src/engine/result.js'
import { renderItemsChart, writeJobSummary } from '../../src/github/summary.js'

const result = (source: string, target: string, itemsWritten?: number): MigrationResult => ({
  source,
  target,
  mode: 'migrate',
  status: 'verified',
  itemsScanned: itemsWritten,
  itemsWritten,
  itemsVerified: itemsWritten,
  durationMs: 1200,
  warnings: []
})

describe('job summary', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'summary-test-'))
  })
  afterEach(async () => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
    else process.env.GITHUB_STEP_SUMMARY = saved
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('charts the items written per table as a mermaid pie', () => {
    expect(renderItemsChart([result('orders', 'orders-v2', 1500), result('users', 'users-v2', 0), result('carts', 'carts-v2', 20)])).toBe(
      ['```mermaid', 'pie showData', '    title Items written per table', '    "orders → orders-v2" : 1500', '    "carts → carts-v2" : 20', '```', ''].join('\n')
    )
    expect(renderItemsChart([result('a1', 'b1')])).toBe('')
  })

  it('writes the report and, for migrate, the chart to GITHUB_STEP_SUMMARY', async () => {
    const file = path.join(dir, 'summary.md')
    await fs.writeFile(file, '')
    process.env.GITHUB_STEP_SUMMARY = file
    await writeJobSummary('migrate', [result('orders', 'orders-v2', 1500)])
    const written = await fs.readFile(file, 'utf8')
    expect(written).toContain('### DynamoDB migration — `migrate`')
    expect(written).toContain('```mermaid\npie showData')
    await fs.writeFile(file, '')
    await writeJobSummary('verify', [{ ...result('orders', 'orders-v2', 1500), mode: 'verify' }])
    expect(await fs.readFile(file, 'utf8')).not.toContain('mermaid')
  })

  it('does nothing outside a runner', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await expect(writeJobSummary('migrate', [result('orders', 'orders-v2', 1)])).resolves.toBeUndefined()
  })
})
