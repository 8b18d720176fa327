import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { createTable, dropTable, localClient, orderItems, orderTrackingSchema, putItems, tempDir, uniqueName } from '../helpers/dynamo.js'
import { tableState } from '../integration/support.js'
import { hasScript, local, plain, runCli, runCliInPty } from './run-cli.js'

const client = localClient()
const tables: string[] = []
let dir: string

beforeAll(async () => {
  dir = await tempDir('cli-tty-')
})
afterAll(async () => {
  await Promise.all(tables.map((t) => dropTable(client, t)))
  await fs.rm(dir, { recursive: true, force: true })
  client.destroy()
})

async function sourceWithItems(count: number): Promise<{ source: string; target: string; pair: string[] }> {
  const source = uniqueName('order-tracking-qa')
  const target = uniqueName('qa-order-tracking')
  tables.push(source, target)
  await createTable(client, orderTrackingSchema(source))
  await putItems(client, source, orderItems(count))
  return { source, target, pair: ['--migrations', `${source} -> ${target}`, '--backup-dir', dir] }
}

/** A bar line as drawn: phase, table, bar, percentage, items, rate, done. */
const barLine = (phase: string, table: string, items: string) => new RegExp(`${phase}\\s+${table}\\s+█{24}\\s+100%\\s+${items} / ${items} items\\s+[\\d,]+ items/s\\s+done`)

describe('dynamodb-migrate on a terminal', () => {
  it('draws a bar per table and phase, and a table of results, when bars are forced (--progress=bars)', async () => {
    const { source, target, pair } = await sourceWithItems(300)
    const run = await runCli(['migrate', ...local(), ...pair, '--progress=bars'])
    expect(run.code).toBe(0)
    const screen = plain(run.stderr)
    expect(screen).toMatch(barLine('copy', target, '300'))
    expect(screen).toMatch(barLine('verify', target, '300'))
    expect(screen).toMatch(new RegExp(`backup\\s+${source}\\s+.*300 items\\s+[\\d,]+ items/s\\s+done`))
    expect(run.stdout).toMatch(/^SOURCE\s+TARGET\s+STATUS\s+ITEMS\s+TIME$/m)
    expect(run.stdout).toMatch(new RegExp(`^${source}\\s+${target}\\s+verified\\s+300\\s`, 'm'))
    expect(run.stdout).toContain('1 migration: 1 verified')
  })

  it('prints nothing but messages with --progress=none', async () => {
    const { target, pair } = await sourceWithItems(20)
    const run = await runCli(['migrate', ...local(), ...pair, '--progress=none'])
    expect(run.code).toBe(0)
    expect(run.stderr).not.toContain(`copy ${target}:`)
    expect(run.stderr).toContain(`${target}: verified, 20 items`)
  })

  const pty = hasScript ? it : it.skip
  pty('under a real pseudo-terminal (script): live bars with ANSI redraws, then the results table', async () => {
    const { source, target, pair } = await sourceWithItems(500)
    const run = await runCliInPty(['migrate', ...local(), ...pair])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\u001b\[\?25l/) // cursor hidden while the bars are drawn…
    expect(run.stdout).toMatch(/\u001b\[\?25h/) // …and shown again
    const screen = plain(run.stdout)
    expect(screen).toMatch(barLine('copy', target, '500'))
    expect(screen).toMatch(new RegExp(`^${source}\\s+${target}\\s+verified\\s+500\\s`, 'm'))
  })

  pty('delete asks for the table name on a terminal: the right name deletes, a wrong one refuses (exit 2)', async () => {
    const { source, pair } = await sourceWithItems(40)
    expect((await runCli(['migrate', ...local(), ...pair])).code).toBe(0)
    const prompt = `Type ${source} to confirm:`

    const wrong = await runCliInPty(['delete', ...local(), ...pair], { answer: { when: prompt, text: 'order-tracking\r' } })
    expect(wrong.code).toBe(2)
    expect(plain(wrong.stdout)).toContain(`Refusing to delete ${source}: the name typed ("order-tracking") is not "${source}"`)
    expect(await tableState(client, source)).not.toBe('missing')

    const right = await runCliInPty(['delete', ...local(), ...pair], { answer: { when: prompt, text: `${source}\r` } })
    expect(right.code).toBe(0)
    expect(plain(right.stdout)).toMatch(new RegExp(`^${source}\\s+\\S+\\s+deleted\\s`, 'm'))
    expect(await tableState(client, source)).toBe('missing')
  })
})
