import type { TableDescription } from '@aws-sdk/client-dynamodb'
import { tableNameProblem } from '../config/table-name.js'
import { diffSchemas, type SchemaDiff } from '../dynamo/schema-diff.js'
import { createTableInputFrom, type TableSchema } from '../dynamo/table-schema.js'
import { describeTable, readTableSchema, tableHasItems } from '../dynamo/tables.js'
import { MigrationError, type ErrorCode } from '../errors.js'
import type { EngineContext } from './context.js'
import type { EngineSettings, MigrationPair } from './settings.js'

export interface Refusal {
  code: ErrorCode
  message: string
}

/** Everything read about a pair before anything is written. Read-only. */
export interface Preflight {
  pair: MigrationPair
  source?: { description: TableDescription; schema: TableSchema }
  target?: { description: TableDescription; schema: TableSchema; hasItems: boolean }
  /** The schema the target gets (or must have), named as the target. */
  targetSchema?: TableSchema
  schemaDiff?: SchemaDiff
  refusals: Refusal[]
  warnings: string[]
}

/**
 * Reads both tables and lists every reason `migrate` would refuse the pair. It makes no write
 * call, so `plan` uses it as it is and `migrate` runs it before its first write.
 */
export interface PreflightOptions {
  /**
   * The schema recorded in a backup: the source may then be gone (restore, the later phases of
   * the temp-table flow) and the target is checked against this schema instead.
   */
  backupSchema?: TableSchema
  /** Skip the source table altogether (restore from a backup). */
  ignoreSource?: boolean
}

export async function preflight(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, options: PreflightOptions = {}): Promise<Preflight> {
  const result: Preflight = { pair, refusals: [], warnings: [] }
  const refuse = (code: ErrorCode, message: string) => result.refusals.push({ code, message })
  const named = options.ignoreSource ? ([['target', pair.target]] as const) : ([['source', pair.source], ['target', pair.target]] as const)
  for (const [role, name] of named) {
    const problem = tableNameProblem(name)
    if (problem) refuse('INVALID_TABLE_NAME', `Invalid ${role} table name: ${problem}. DynamoDB table names are 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.'.`)
  }
  if (pair.source === pair.target && !options.ignoreSource) refuse('SAME_SOURCE_AND_TARGET', `Source and target are both "${pair.source}": a migration needs a new name.`)
  if (result.refusals.length) return result

  const sourceDescription = options.ignoreSource ? undefined : await describeTable(ctx, pair.source)
  const expected = sourceDescription ? undefined : options.backupSchema
  if (expected) {
    result.targetSchema = { ...expected, createTable: { ...expected.createTable, TableName: pair.target } }
  } else if (!sourceDescription) {
    refuse('SOURCE_MISSING', `Source table ${pair.source} does not exist in this account and region (check aws-region and the role).`)
  } else {
    const schema = await readTableSchema(ctx, sourceDescription, result.warnings)
    result.source = { description: sourceDescription, schema }
    result.targetSchema = { ...schema, createTable: { ...schema.createTable, TableName: pair.target } }
    if (sourceDescription.TableStatus !== 'ACTIVE') result.warnings.push(`${pair.source} is ${sourceDescription.TableStatus}, not ACTIVE`)
  }

  const targetDescription = await describeTable(ctx, pair.target)
  if (!targetDescription) {
    if (settings.createTarget === 'never') {
      refuse('TARGET_MISSING', `Target table ${pair.target} does not exist and create-target is "never": deploy it with your IaC first, or set create-target: if-missing.`)
    }
  } else {
    const schema = await readTableSchema(ctx, targetDescription, result.warnings)
    const hasItems = await tableHasItems(ctx, pair.target)
    result.target = { description: targetDescription, schema, hasItems }
    const wanted = result.source?.schema ?? expected
    if (wanted) {
      result.schemaDiff = diffSchemas(wanted, schema)
      if (result.schemaDiff.blocking.length) {
        refuse('SCHEMA_MISMATCH', `Target ${pair.target} exists with a schema that does not match ${pair.source}:\n  - ${result.schemaDiff.blocking.join('\n  - ')}\nFix the target (IaC) or delete it and let the action create it.`)
      }
      for (const w of result.schemaDiff.warnings) result.warnings.push(`${pair.target} differs from ${pair.source}: ${w}`)
    }
    if (hasItems && !settings.allowNonEmptyTarget) {
      refuse('TARGET_NOT_EMPTY', `Target table ${pair.target} already holds items: refusing to mix data. Empty it, or set allow-non-empty-target: true if that is intended.`)
    }
  }
  return result
}

/** Throws the first refusal, if any. */
export function assertNoRefusals(check: Preflight): void {
  const first = check.refusals[0]
  if (first) {
    const more = check.refusals.length > 1 ? ` (and ${check.refusals.length - 1} more: ${check.refusals.slice(1).map((r) => r.code).join(', ')})` : ''
    throw new MigrationError(first.code, first.message + more, check.refusals)
  }
}

/** The CreateTable input the target would get, for reports. */
export function plannedCreateInput(check: Preflight) {
  return check.source ? createTableInputFrom(check.source.description, check.pair.target) : undefined
}
