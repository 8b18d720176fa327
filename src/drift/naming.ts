import { MigrationError } from '../errors.js'

/**
 * The naming convention (`${stage}-${name}`, `${stage}-${service}-${name}`, ...) and the
 * matching of table names against it: does a name follow it exactly, or is it the same logical
 * name under another pattern (stage as a suffix, underscores, other case, camelCase)?
 */

export type Placeholder = 'stage' | 'service' | 'name'
export type ConventionPart = { literal: string } | { placeholder: Placeholder }

export interface NamingConvention {
  /** As the user wrote it. */
  text: string
  parts: ConventionPart[]
  /** Joins the words of a logical name when a drifted name is rewritten: the convention's first separator, else `-`. */
  separator: string
  usesService: boolean
}

/** How a table name relates to one stage. */
export interface StageMatch {
  kind: 'conforms' | 'drifted'
  stage: string
  /** The logical name: `order-tracking` in `qa-order-tracking` and in `order_tracking_QA`. */
  logicalName: string
  /** The logical name's words, lower case, space-separated: what identifies it across patterns. */
  key: string
  /** The name the convention gives it: the table's own name when it conforms. */
  expected: string
}

/** Spellings accepted for each placeholder, Serverless-style ones included. */
const ALIASES: Record<string, Placeholder> = {
  stage: 'stage',
  'sls:stage': 'stage',
  'opt:stage': 'stage',
  'self:provider.stage': 'stage',
  service: 'service',
  'self:service': 'service',
  name: 'name',
  resource: 'name',
  table: 'name'
}

const invalid = (text: string, problem: string) =>
  new MigrationError('INVALID_INPUT', `Input "naming-convention" ("${text}"): ${problem}. Example: \${stage}-\${name} or \${stage}-\${service}-\${name}.`)

export function parseConvention(text: string): NamingConvention {
  const parts: ConventionPart[] = []
  let last = 0
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    if (m.index > last) parts.push({ literal: text.slice(last, m.index) })
    const key = (m[1] ?? '').trim()
    const placeholder = ALIASES[key] ?? ALIASES[key.toLowerCase()]
    if (!placeholder) throw invalid(text, `unknown placeholder \${${key}}; use \${stage}, \${service} and \${name}`)
    parts.push({ placeholder })
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push({ literal: text.slice(last) })
  const count = (p: Placeholder) => parts.filter((x) => 'placeholder' in x && x.placeholder === p).length
  if (count('name') !== 1) throw invalid(text, 'needs exactly one ${name}')
  if (count('stage') !== 1) throw invalid(text, 'needs exactly one ${stage}')
  if (count('service') > 1) throw invalid(text, '${service} appears more than once')
  for (let i = 1; i < parts.length; i++) {
    if ('placeholder' in parts[i - 1]! && 'placeholder' in parts[i]!) throw invalid(text, 'placeholders must be separated by a literal such as "-"')
  }
  const literals = parts.flatMap((p) => ('literal' in p ? [p.literal] : []))
  if (literals.some((l) => !/^[a-zA-Z0-9_.-]*$/.test(l))) throw invalid(text, "literals may only hold a-z, A-Z, 0-9, '_', '-' and '.'")
  const separator = literals.join('').match(/[-_.]/)?.[0] ?? '-'
  return { text, parts, separator, usesService: count('service') === 1 }
}

export function renderName(convention: NamingConvention, values: { stage: string; service?: string; name: string }): string {
  return convention.parts.map((p) => ('literal' in p ? p.literal : p.placeholder === 'service' ? (values.service ?? '') : values[p.placeholder])).join('')
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The `${name}` part when `table` follows the convention exactly for this stage (and
 * service); with `stage` undefined any single alphanumeric word is accepted as the stage.
 */
export function matchConvention(convention: NamingConvention, table: string, stage: string | undefined, service?: string): { stage: string; name: string } | undefined {
  const pattern = convention.parts
    .map((p) => {
      if ('literal' in p) return escape(p.literal)
      if (p.placeholder === 'name') return '(?<name>.+)'
      if (p.placeholder === 'stage') return stage === undefined ? '(?<stage>[a-zA-Z0-9]+)' : `(?<stage>${escape(stage)})`
      return service === undefined ? '(?:.+?)' : escape(service)
    })
    .join('')
  const m = new RegExp(`^${pattern}$`).exec(table)
  return m?.groups?.name ? { stage: m.groups.stage ?? stage ?? '', name: m.groups.name } : undefined
}

/** Words of a name, lower case: `Order_TrackingQA` → order, tracking, qa; digits stay with their word. */
export function nameTokens(name: string): string[] {
  return name
    .split(/[-_.\s]+/)
    .flatMap((segment) => segment.match(/[A-Z]+(?![a-z])\d*|[A-Z]?[a-z]+\d*|\d+/g) ?? [])
    .map((t) => t.toLowerCase())
}

export const logicalKey = (name: string) => nameTokens(name).join(' ')

function stripAffix(tokens: string[], affix: string[], side: 'start' | 'end'): string[] | undefined {
  if (!affix.length || affix.length >= tokens.length) return undefined
  const at = side === 'start' ? 0 : tokens.length - affix.length
  if (!affix.every((t, i) => tokens[at + i] === t)) return undefined
  return side === 'start' ? tokens.slice(affix.length) : tokens.slice(0, at)
}

function stripAll(tokens: string[], affixes: string[][]): string[] | undefined {
  const [first, ...rest] = affixes
  if (!first) return tokens.length ? tokens : undefined
  for (const side of ['start', 'end'] as const) {
    const stripped = stripAffix(tokens, first, side)
    const out = stripped && stripAll(stripped, rest)
    if (out) return out
  }
  return undefined
}

/**
 * The logical name's words when `tokens` hold the stage's words at either end (and the
 * service's, when given, at either end of the rest, before or after the stage).
 */
export function logicalTokens(tokens: string[], stageTokens: string[], serviceTokens?: string[]): string[] | undefined {
  const orders = serviceTokens?.length ? [[stageTokens, serviceTokens], [serviceTokens, stageTokens], [stageTokens]] : [[stageTokens]]
  for (const order of orders) {
    const out = stripAll(tokens, order)
    if (out) return out
  }
  return undefined
}

/** How `table` relates to `stage`: follows the convention, drifted from it, or neither (undefined). */
export function matchStage(convention: NamingConvention, table: string, stage: string, service?: string): StageMatch | undefined {
  const exact = matchConvention(convention, table, stage, convention.usesService ? service : undefined)
  if (exact) return { kind: 'conforms', stage, logicalName: exact.name, key: logicalKey(exact.name), expected: table }
  const words = logicalTokens(nameTokens(table), nameTokens(stage), convention.usesService && service ? nameTokens(service) : undefined)
  if (!words) return undefined
  const logicalName = words.join(convention.separator)
  const expected = renderName(convention, { stage, service, name: logicalName })
  return { kind: expected === table ? 'conforms' : 'drifted', stage, logicalName, key: words.join(' '), expected }
}

/**
 * Readings of `table` with any single word as the stage: used to recognise a stage that is
 * not in the known list when the rest of the name is a logical name the template defines.
 */
export function anyStageReadings(convention: NamingConvention, table: string, service?: string): { stage: string; key: string }[] {
  const readings: { stage: string; key: string }[] = []
  const exact = matchConvention(convention, table, undefined, convention.usesService ? service : undefined)
  if (exact) readings.push({ stage: exact.stage.toLowerCase(), key: logicalKey(exact.name) })
  const tokens = nameTokens(table)
  for (const stage of [tokens[0], tokens[tokens.length - 1]]) {
    if (!stage) continue
    const words = logicalTokens(tokens, [stage], convention.usesService && service ? nameTokens(service) : undefined)
    if (words) readings.push({ stage, key: words.join(' ') })
  }
  return readings
}

/** Stage names recognised in other tables' names when no `stages` list is given. */
export const DEFAULT_STAGES = ['dev', 'development', 'test', 'qa', 'uat', 'staging', 'stg', 'preprod', 'prod', 'production', 'prd', 'sandbox']
