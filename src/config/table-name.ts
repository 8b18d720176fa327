import { MigrationError } from '../errors.js'

/** DynamoDB's rule for table names: 3–255 characters of a-z, A-Z, 0-9, '_', '-' and '.'. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/

export function tableNameProblem(name: string): string | undefined {
  if (name.length < 3) return `"${name}" is shorter than 3 characters`
  if (name.length > 255) return `"${name.slice(0, 40)}…" is longer than 255 characters`
  if (!TABLE_NAME.test(name)) return `"${name}" has characters other than a-z, A-Z, 0-9, '_', '-' and '.'`
  return undefined
}

export function assertTableName(name: string, role: string): void {
  const problem = tableNameProblem(name)
  if (problem) throw new MigrationError('INVALID_TABLE_NAME', `Invalid ${role} table name: ${problem}. DynamoDB table names are 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.'.`)
}
