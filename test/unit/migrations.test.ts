import { describe, expect, it } from '@jest/globals'
import { parseMigrations } from '../../src/config/migrations.js'
import { MigrationError } from '../../src/errors.js'

/** A readFile that serves fixed contents and fails for anything else, so no disk is touched. */
function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path]
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`)
    return text
  }
}

function failure(run: () => unknown): MigrationError {
  try {
    run()
  } catch (error) {
    if (error instanceof MigrationError) return error
    throw error
  }
  throw new Error('expected a MigrationError')
}

const noFiles = files({})

describe('parseMigrations: lines', () => {
  it('reads one "source -> target" pair', () => {
    expect(parseMigrations('orders -> orders-v2', noFiles)).toEqual([{ source: 'orders', target: 'orders-v2' }])
  })

  it('reads one pair per line, in order', () => {
    expect(parseMigrations('a-table -> b-table\nc.table -> d_table\nEe1 -> Ff2', noFiles)).toEqual([
      { source: 'a-table', target: 'b-table' },
      { source: 'c.table', target: 'd_table' },
      { source: 'Ee1', target: 'Ff2' }
    ])
  })

  it('accepts any spacing around the arrow, and none', () => {
    expect(parseMigrations('  one->two  \n\tthree   ->\tfour', noFiles)).toEqual([
      { source: 'one', target: 'two' },
      { source: 'three', target: 'four' }
    ])
  })

  it('ignores blank lines and comments, whole-line and trailing', () => {
    const text = ['# tables of the QA stage', '', 'orders -> orders-v2   # renamed in #123', '   ', '  # users -> users-v2', 'carts -> carts-v2'].join('\n')
    expect(parseMigrations(text, noFiles)).toEqual([
      { source: 'orders', target: 'orders-v2' },
      { source: 'carts', target: 'carts-v2' }
    ])
  })

  it('accepts Windows line endings', () => {
    expect(parseMigrations('aaa -> bbb\r\nccc -> ddd\r\n', noFiles)).toEqual([
      { source: 'aaa', target: 'bbb' },
      { source: 'ccc', target: 'ddd' }
    ])
  })

  it('returns nothing for a text of comments only', () => {
    expect(parseMigrations('# nothing yet\n# still nothing', noFiles)).toEqual([])
  })

  it('rejects an empty input', () => {
    for (const text of ['', '   ', '\n\n']) {
      const error = failure(() => parseMigrations(text, noFiles))
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toContain('"migrations" is empty')
    }
  })

  it('rejects a malformed line, naming its line number', () => {
    const error = failure(() => parseMigrations('# header\naaa -> bbb\nccc => ddd\neee -> fff', noFiles))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toBe('Input "migrations", line 3: "ccc => ddd" is not "source -> target".')
  })

  it.each([
    ['a line without a target', 'aaa -> bbb\nccc ->', 2],
    ['a line without a source', '-> bbb', 1],
    ['a line with two arrows', 'aaa -> bbb -> ccc', 1],
    ['a line with no arrow among pairs', 'aaa -> bbb\n\nlonely', 3]
  ])('rejects %s', (_what, text, line) => {
    const error = failure(() => parseMigrations(text, noFiles))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain(`line ${line}:`)
  })

  it('reads a single word that is no file as a malformed line', () => {
    const error = failure(() => parseMigrations('no-such-migrations-file-9f8e7d', noFiles))
    expect(error.message).toContain('line 1')
  })
})

describe('parseMigrations: files', () => {
  it('reads a YAML file', () => {
    const readFile = files({
      'config/migrations.yml': ['# QA', 'migrations:', '  - source: orders', '    target: orders-v2', '  - source: users', '    target: users-v2', ''].join('\n')
    })
    expect(parseMigrations('config/migrations.yml', readFile)).toEqual([
      { source: 'orders', target: 'orders-v2' },
      { source: 'users', target: 'users-v2' }
    ])
  })

  it('reads a .yaml file with flow style', () => {
    const readFile = files({ 'm.yaml': 'migrations: [{source: aaa, target: bbb}]' })
    expect(parseMigrations('  m.yaml  ', readFile)).toEqual([{ source: 'aaa', target: 'bbb' }])
  })

  it('reads a JSON file', () => {
    const readFile = files({ 'migrations.json': JSON.stringify({ migrations: [{ source: 'orders', target: 'orders-v2' }] }, null, 2) })
    expect(parseMigrations('migrations.json', readFile)).toEqual([{ source: 'orders', target: 'orders-v2' }])
  })

  it('recognises file extensions in any case', () => {
    const readFile = files({ 'M.JSON': '{"migrations":[{"source":"aaa","target":"bbb"}]}' })
    expect(parseMigrations('M.JSON', readFile)).toEqual([{ source: 'aaa', target: 'bbb' }])
  })

  it('reports a file that cannot be read', () => {
    const error = failure(() => parseMigrations('missing.yml', noFiles))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain('cannot read missing.yml')
    expect(error.message).toContain('ENOENT')
  })

  it('reports a file that is not valid YAML or JSON', () => {
    const yaml = failure(() => parseMigrations('bad.yml', files({ 'bad.yml': 'migrations: [unclosed' })))
    expect(yaml.code).toBe('INVALID_INPUT')
    expect(yaml.message).toContain('cannot read bad.yml')
    const json = failure(() => parseMigrations('bad.json', files({ 'bad.json': '{"migrations": [' })))
    expect(json.code).toBe('INVALID_INPUT')
    expect(json.message).toContain('bad.json')
  })

  it.each([
    ['an empty file', ''],
    ['no migrations key', 'tables: []'],
    ['migrations that is not a list', 'migrations: orders -> orders-v2'],
    ['an empty list', 'migrations: []'],
    ['an entry without a target', 'migrations:\n  - source: orders'],
    ['an entry with an empty source', 'migrations:\n  - source: ""\n    target: bbb'],
    ['an entry with an unknown key', 'migrations:\n  - source: aaa\n    target: bbb\n    mode: fast'],
    ['a non-string name', 'migrations:\n  - source: 123\n    target: bbb'],
    ['a list at the top', '- source: aaa\n  target: bbb']
  ])('rejects a file with %s, saying the expected shape', (_what, text) => {
    const error = failure(() => parseMigrations('m.yml', files({ 'm.yml': text })))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain('Input "migrations": m.yml:')
    expect(error.message).toContain('Expected migrations: [{source, target}]')
  })

  it('names the field at fault in a file', () => {
    const error = failure(() => parseMigrations('m.yml', files({ 'm.yml': 'migrations:\n  - source: aaa\n    target: bbb\n  - source: ccc' })))
    expect(error.message).toContain('migrations.1.target')
  })

  it('says when a file lists no migrations', () => {
    const error = failure(() => parseMigrations('m.json', files({ 'm.json': '{"migrations": []}' })))
    expect(error.message).toContain('lists no migrations')
  })

  it('reads a single line with an arrow as a pair even if it ends like a file name', () => {
    expect(parseMigrations('aaa.yml -> bbb.json', noFiles)).toEqual([{ source: 'aaa.yml', target: 'bbb.json' }])
  })
})
