import { readFileSync } from 'node:fs'
import { parse, type ScalarTag, type CollectionTag, type YAMLMap, type YAMLSeq } from 'yaml'
import { MigrationError, errorMessage } from '../errors.js'

/**
 * Reads a template (Serverless Framework or CloudFormation, YAML or JSON). CloudFormation's
 * YAML short forms (`!Ref`, `!Sub`, `!Join`, `!GetAtt`, ...) become their long forms
 * (`{Ref: ...}`, `{'Fn::Sub': ...}`), so one evaluator serves YAML and JSON templates alike.
 */

const FUNCTIONS = ['And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Length', 'Not', 'Or', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform']

const toJson = (node: YAMLMap.Parsed | YAMLSeq.Parsed): unknown => node.toJSON()

function functionTags(fn: string): (ScalarTag | CollectionTag)[] {
  const key = `Fn::${fn}`
  const scalar = (value: string): unknown => {
    if (fn === 'GetAtt') {
      const dot = value.indexOf('.')
      return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] }
    }
    return { [key]: value }
  }
  return [
    { tag: `!${fn}`, resolve: scalar },
    { tag: `!${fn}`, collection: 'seq', resolve: (node) => ({ [key]: toJson(node) }) },
    { tag: `!${fn}`, collection: 'map', resolve: (node) => ({ [key]: toJson(node) }) }
  ]
}

/** The CloudFormation short-form tags as `yaml` custom tags. */
export const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ...FUNCTIONS.flatMap(functionTags)
]

/** Parses template text; `file` names it in errors. */
export function parseTemplateText(text: string, file: string): unknown {
  try {
    if (/\.json$/i.test(file) || /^\s*[{[]/.test(text)) {
      try {
        return JSON.parse(text)
      } catch (error) {
        if (/\.json$/i.test(file)) throw error
      }
    }
    return parse(text, { customTags: CLOUDFORMATION_TAGS, merge: true, maxAliasCount: 1000 })
  } catch (error) {
    throw new MigrationError('INVALID_INPUT', `Cannot parse the template ${file}: ${errorMessage(error)}`)
  }
}

export type ReadFile = (path: string) => string

export const readTextFile: ReadFile = (path) => readFileSync(path, 'utf8')

/** Reads and parses a template file, with a clear error when it cannot be read. */
export function readTemplateFile(file: string, readFile: ReadFile = readTextFile): unknown {
  let text: string
  try {
    text = readFile(file)
  } catch (error) {
    throw new MigrationError('INVALID_INPUT', `Cannot read the template ${file}: ${errorMessage(error)}`)
  }
  return parseTemplateText(text, file)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
