import { describe, expect, it } from '@jest/globals'
import { assertTableName, tableNameProblem } from '../../src/config/table-name.js'
import { MigrationError } from '../../src/errors.js'

describe('tableNameProblem', () => {
  it.each(['abc', 'orders', 'Orders_v2', 'qa-order-tracking', 'my.table.name', 'A1_', '0-9', 'x'.repeat(255)])('accepts %s', (name) => {
    expect(tableNameProblem(name)).toBeUndefined()
  })

  it.each(['', 'a', 'ab'])('rejects %p as shorter than 3 characters', (name) => {
    expect(tableNameProblem(name)).toContain('shorter than 3 characters')
  })

  it('rejects a name longer than 255 characters, quoting only its start', () => {
    const problem = tableNameProblem('y'.repeat(256))
    expect(problem).toContain('longer than 255 characters')
    expect(problem).toContain('y'.repeat(40) + '…')
    expect(problem).not.toContain('y'.repeat(41))
  })

  it.each(['my table', 'orders/v2', 'orders:v2', 'orders#1', 'tâble', 'orders\n', 'a*b', 'ab$'])('rejects %p for its characters', (name) => {
    expect(tableNameProblem(name)).toContain("characters other than a-z, A-Z, 0-9, '_', '-' and '.'")
  })
})

describe('assertTableName', () => {
  it('accepts a valid name', () => {
    expect(() => assertTableName('orders-v2', 'target')).not.toThrow()
  })

  it('throws INVALID_TABLE_NAME naming the role and the rule', () => {
    let caught: unknown
    try {
      assertTableName('no spaces', 'target')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(MigrationError)
    const error = caught as MigrationError
    expect(error.code).toBe('INVALID_TABLE_NAME')
    expect(error.isRefusal).toBe(true)
    expect(error.message).toContain('Invalid target table name')
    expect(error.message).toContain('"no spaces"')
    expect(error.message).toContain('3-255 characters')
  })
})
