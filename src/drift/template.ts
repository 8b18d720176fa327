import { MigrationError } from '../errors.js'
import type { TableSchema } from '../dynamo/table-schema.js'
import { condition, evaluate, unresolved, type IntrinsicScope } from './intrinsics.js'
import { tableSchemaFromProperties } from './table-properties.js'
import { isRecord, readTemplateFile, type ReadFile } from './template-file.js'
import { ServerlessVariables } from './variables.js'

/**
 * The `AWS::DynamoDB::Table` resources of a Serverless Framework `serverless.yml` or a
 * CloudFormation template, with names and schemas resolved for one stage. Only the table
 * resources (and what they refer to) are resolved.
 */

export interface TemplateOptions {
  stage: string
  /** `${aws:region}` / AWS::Region; default: provider.region, else us-east-1. */
  region?: string
  /** For `${self:service}`-less CloudFormation templates: parameters named Service/ServiceName. */
  service?: string
  /** AWS::StackName; default for Serverless `<service>-<stage>` (or provider.stackName). */
  stackName?: string
  /** CloudFormation parameter values; default: the stage for a parameter named Stage/Env/Environment, else its Default. */
  parameters?: Record<string, string>
  /** For `${env:NAME}`; default process.env. */
  env?: Record<string, string | undefined>
  accountId?: string
  readFile?: ReadFile
}

export interface IacTable {
  logicalId: string
  /** Undefined when the template leaves the name to CloudFormation (`<stack>-<logicalId>-<random>`). */
  tableName?: string
  schema: TableSchema
  deletionPolicy?: string
}

export interface IacTemplate {
  path: string
  kind: 'serverless' | 'cloudformation'
  service?: string
  /** Parameter values used (CloudFormation). */
  parameters: Record<string, string>
  tables: IacTable[]
  /** Tables skipped (a false Condition) and other remarks. */
  notes: string[]
  /** The stack name AWS::StackName resolves to (Serverless: provider.stackName, else `<service>-<stage>`), when known. */
  stackName?: string
  /** The region AWS::Region resolves to. */
  region: string
}

interface Sections {
  resources: Record<string, unknown>
  parameters: Record<string, unknown>
  conditions: Record<string, unknown>
  mappings: Record<string, unknown>
}

interface PseudoValues {
  stackName(): string | undefined
  region(): string
}

const STAGE_PARAMETERS = ['stage', 'stagename', 'env', 'environment', 'environmentname']
const SERVICE_PARAMETERS = ['service', 'servicename']

export function loadIacTemplate(file: string, options: TemplateOptions): IacTemplate {
  const doc = readTemplateFile(file, options.readFile)
  if (!isRecord(doc)) throw new MigrationError('INVALID_INPUT', `Template ${file} is not a YAML/JSON object.`)
  if ('service' in doc && !('Resources' in doc)) return fromServerless(doc, file, options)
  if ('Resources' in doc || 'AWSTemplateFormatVersion' in doc) return fromCloudFormation(doc, file, options)
  throw new MigrationError('INVALID_INPUT', `Template ${file} is neither a serverless.yml (no "service") nor a CloudFormation template (no "Resources").`)
}

function fromCloudFormation(doc: Record<string, unknown>, file: string, options: TemplateOptions): IacTemplate {
  const sections: Sections = {
    resources: record(doc.Resources),
    parameters: record(doc.Parameters),
    conditions: record(doc.Conditions),
    mappings: record(doc.Mappings)
  }
  const pseudo: PseudoValues = {
    stackName: () => options.stackName ?? (options.service ? `${options.service}-${options.stage}` : undefined),
    region: () => options.region ?? 'us-east-1'
  }
  return extract('cloudformation', file, sections, (v) => v, options, options.service, pseudo)
}

function fromServerless(doc: Record<string, unknown>, file: string, options: TemplateOptions): IacTemplate {
  const vars = new ServerlessVariables(doc, file, { stage: options.stage, region: options.region, env: options.env ?? process.env, accountId: options.accountId, readFile: options.readFile })
  const serviceValue = vars.get('service')
  const service = typeof serviceValue === 'string' ? serviceValue : isRecord(serviceValue) && typeof serviceValue.name === 'string' ? serviceValue.name : undefined
  const sections: Sections = { resources: {}, parameters: {}, conditions: {}, mappings: {} }
  const root = vars.shallow(doc.resources, 'resources')
  const fragments = Array.isArray(root) ? root.map((f, i) => vars.shallow(f, `resources[${i}]`)) : [root]
  for (const [i, fragment] of fragments.entries()) {
    if (fragment === undefined || fragment === null) continue
    if (!isRecord(fragment)) throw new MigrationError('INVALID_INPUT', `Template ${file}: resources${Array.isArray(root) ? `[${i}]` : ''} is not an object.`)
    const where = Array.isArray(root) ? `resources[${i}]` : 'resources'
    Object.assign(sections.resources, record(vars.shallow(fragment.Resources, `${where}.Resources`)))
    Object.assign(sections.parameters, record(vars.shallow(fragment.Parameters, `${where}.Parameters`)))
    Object.assign(sections.conditions, record(vars.shallow(fragment.Conditions, `${where}.Conditions`)))
    Object.assign(sections.mappings, record(vars.shallow(fragment.Mappings, `${where}.Mappings`)))
  }
  const pseudo: PseudoValues = {
    stackName: () => {
      const configured = options.stackName ?? vars.get('provider.stackName')
      return typeof configured === 'string' ? configured : service ? `${service}-${options.stage}` : undefined
    },
    region: () => {
      const configured = options.region ?? vars.get('provider.region')
      return typeof configured === 'string' ? configured : 'us-east-1'
    }
  }
  return extract('serverless', file, sections, (v, where) => vars.deep(v, where), options, service, pseudo)
}

const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {})

function extract(
  kind: IacTemplate['kind'],
  file: string,
  sections: Sections,
  resolve: (value: unknown, where: string) => unknown,
  options: TemplateOptions,
  service: string | undefined,
  pseudo: PseudoValues
): IacTemplate {
  const usedParameters: Record<string, string> = {}
  const resolved = new Map<string, Record<string, unknown>>()
  const resolving = new Set<string>()
  const prefix = kind === 'serverless' ? 'resources.Resources' : 'Resources'
  const resource = (id: string): Record<string, unknown> => {
    let r = resolved.get(id)
    if (!r) {
      r = record(resolve(sections.resources[id], `${prefix}.${id}`))
      resolved.set(id, r)
    }
    return r
  }
  const typeOf = (id: string) => resolve(record(sections.resources[id]).Type, `${prefix}.${id}.Type`)
  const scope: IntrinsicScope = {
    file,
    pseudo: (name) => {
      switch (name) {
        case 'AWS::StackName':
          return pseudo.stackName()
        case 'AWS::Region':
          return pseudo.region()
        case 'AWS::AccountId':
          return options.accountId
        case 'AWS::Partition':
          return 'aws'
        case 'AWS::URLSuffix':
          return 'amazonaws.com'
        default:
          return undefined
      }
    },
    parameter: (name, where) => {
      if (!(name in sections.parameters)) return undefined
      const definition = record(resolve(sections.parameters[name], `Parameters.${name}`))
      const lower = name.toLowerCase()
      const value =
        options.parameters?.[name] ??
        (STAGE_PARAMETERS.includes(lower) ? options.stage : undefined) ??
        (SERVICE_PARAMETERS.includes(lower) ? service : undefined) ??
        (definition.Default !== undefined ? String(definition.Default) : undefined)
      if (value === undefined) throw unresolved(scope, `Ref ${name}`, where, `the parameter ${name} has no Default and no value was given`)
      usedParameters[name] = value
      return String(definition.Type ?? '').startsWith('CommaDelimitedList') || String(definition.Type ?? '').startsWith('List<') ? value.split(',').map((s) => s.trim()) : value
    },
    resourceRef: (id, where) => {
      if (!(id in sections.resources)) return undefined
      if (typeOf(id) !== 'AWS::DynamoDB::Table') throw unresolved(scope, `Ref ${id}`, where, `the physical id of ${String(typeOf(id))} ${id} is only known once deployed`)
      if (resolving.has(id)) throw unresolved(scope, `Ref ${id}`, where, 'the table refers back to itself')
      resolving.add(id)
      try {
        const name = evaluate(record(resource(id).Properties).TableName, scope, `${prefix}.${id}.Properties.TableName`)
        if (typeof name !== 'string') throw unresolved(scope, `Ref ${id}`, where, `the table ${id} has no TableName (CloudFormation generates it)`)
        return name
      } finally {
        resolving.delete(id)
      }
    },
    condition: (name) => (name in sections.conditions ? resolve(sections.conditions[name], `Conditions.${name}`) : undefined),
    mapping: (name) => (name in sections.mappings ? resolve(sections.mappings[name], `Mappings.${name}`) : undefined)
  }

  const tables: IacTable[] = []
  const notes: string[] = []
  for (const id of Object.keys(sections.resources)) {
    if (typeOf(id) !== 'AWS::DynamoDB::Table') continue
    const r = resource(id)
    const where = `${prefix}.${id}`
    if (typeof r.Condition === 'string' && !condition({ Condition: r.Condition }, scope, `${where}.Condition`)) {
      notes.push(`${id} is not created for stage ${options.stage} (condition ${r.Condition} is false)`)
      continue
    }
    const properties = evaluate(r.Properties, scope, `${where}.Properties`)
    const schema = tableSchemaFromProperties(properties, file, `${where}.Properties`)
    const tableName = schema.createTable.TableName
    if (!tableName) notes.push(`${id} has no TableName: CloudFormation names it <stack>-${id}-<random>, so it cannot be matched to a live table`)
    tables.push({ logicalId: id, ...(tableName ? { tableName } : {}), schema, ...(typeof r.DeletionPolicy === 'string' ? { deletionPolicy: r.DeletionPolicy } : {}) })
  }
  const stackName = attempt(pseudo.stackName)
  return { path: file, kind, ...(service ? { service } : {}), parameters: usedParameters, tables, notes, ...(stackName ? { stackName } : {}), region: attempt(pseudo.region) ?? 'us-east-1' }
}

/** A value only reported (the stack name and region for adopt-files.ts): one that cannot be resolved is left out, not an error. */
function attempt(read: () => string | undefined): string | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
