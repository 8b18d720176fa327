import { MigrationError } from '../errors.js'
import { isRecord } from './template-file.js'

/**
 * Evaluation of CloudFormation intrinsic functions (long form; the YAML short forms are
 * turned into these when the file is read): Ref (parameters, pseudo parameters, other
 * tables), Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If with Conditions, Fn::Equals,
 * Fn::And/Or/Not, Fn::FindInMap, Fn::Base64, Fn::ToJsonString. What is only known once
 * deployed (Fn::GetAtt, Fn::ImportValue, Fn::GetAZs, ...) is a TEMPLATE_UNRESOLVED error.
 */

/** `Ref: AWS::NoValue`: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue')

export interface IntrinsicScope {
  /** The template, named in errors. */
  file: string
  /** AWS::StackName, AWS::Region, ...: the value, or undefined when unknown. */
  pseudo(name: string): string | undefined
  /** A parameter's value; undefined when the template has no such parameter. */
  parameter(name: string, where: string): string | string[] | undefined
  /** What `Ref` returns for a resource (a table's name); undefined when there is no such resource. */
  resourceRef(logicalId: string, where: string): string | undefined
  /** The expression of a named condition; undefined when absent. */
  condition(name: string): unknown
  mapping(name: string): unknown
}

export function unresolved(scope: Pick<IntrinsicScope, 'file'>, what: string, where: string, reason: string): MigrationError {
  return new MigrationError('TEMPLATE_UNRESOLVED', `Cannot resolve ${what} in ${scope.file} at ${where}: ${reason}.`, { variable: what, file: scope.file, where })
}

const UNKNOWABLE: Record<string, string> = {
  'Fn::GetAtt': 'resource attributes are only known once deployed',
  'Fn::ImportValue': 'exports of other stacks are only known with AWS access',
  'Fn::GetAZs': 'availability zones are only known with AWS access',
  'Fn::Cidr': 'not supported here',
  'Fn::Transform': 'macros run inside CloudFormation',
  'Fn::Length': 'not supported here'
}

const PSEUDO_MISSING: Record<string, string> = {
  'AWS::StackName': 'the stack name is not known: give it (stack name option), or the service for <service>-<stage>',
  'AWS::AccountId': 'the AWS account id is not known: give it (account id option)'
}

function isIntrinsic(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value)
  const key = keys[0]
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::')) ? key : undefined
}

/** Evaluates every intrinsic function in `value`. */
export function evaluate(value: unknown, scope: IntrinsicScope, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => evaluate(v, scope, `${where}[${i}]`)).filter((v) => v !== NO_VALUE)
  if (!isRecord(value)) return value
  const fn = isIntrinsic(value)
  if (!fn) {
    const entries = Object.entries(value).map(([k, v]) => [k, evaluate(v, scope, `${where}.${k}`)] as const)
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE))
  }
  return callFunction(fn, value[fn], scope, where)
}

function callFunction(fn: string, arg: unknown, scope: IntrinsicScope, where: string): unknown {
  const bad = (expected: string) => unresolved(scope, fn, where, `expects ${expected}`)
  switch (fn) {
    case 'Ref':
      if (typeof arg !== 'string') throw bad('a name')
      return ref(arg, scope, where)
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined]
      const values = isRecord(vars) ? (evaluate(vars, scope, `${where}.Fn::Sub[1]`) as Record<string, unknown>) : {}
      if (typeof text !== 'string') throw bad('a string or [string, {variables}]')
      return sub(text, values, scope, where)
    }
    case 'Fn::Join': {
      const [delimiter, list] = Array.isArray(arg) ? arg : []
      const items = evaluate(list, scope, where)
      if (typeof delimiter !== 'string' || !Array.isArray(items)) throw bad('[delimiter, [values]]')
      return items.map((item) => scalar(item, scope, fn, where)).join(delimiter)
    }
    case 'Fn::Select': {
      const [index, list] = Array.isArray(arg) ? [evaluate(arg[0], scope, where), evaluate(arg[1], scope, where)] : []
      const items = Array.isArray(list) ? list : undefined
      const i = Number(index)
      if (!items || !Number.isInteger(i) || i < 0 || i >= items.length) throw bad('[index, [values]] with the index in range')
      return items[i]
    }
    case 'Fn::Split': {
      const [delimiter, source] = Array.isArray(arg) ? [arg[0], evaluate(arg[1], scope, where)] : []
      if (typeof delimiter !== 'string' || typeof source !== 'string') throw bad('[delimiter, string]')
      return source.split(delimiter)
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = Array.isArray(arg) ? arg : []
      if (typeof name !== 'string') throw bad('[condition, value if true, value if false]')
      return evaluate(namedCondition(name, scope, where) ? whenTrue : whenFalse, scope, where)
    }
    case 'Fn::Equals': {
      const [a, b] = Array.isArray(arg) ? arg.map((v) => evaluate(v, scope, where)) : []
      return JSON.stringify(a) === JSON.stringify(b) || (a !== undefined && String(a) === String(b))
    }
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg)) throw bad('a list of conditions')
      const values = arg.map((c) => condition(c, scope, where))
      return fn === 'Fn::Not' ? !values[0] : fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean)
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = Array.isArray(arg) ? arg.map((v) => evaluate(v, scope, where)) : []
      const table = scope.mapping(String(map))
      const row = isRecord(table) ? table[String(top)] : undefined
      const value = isRecord(row) ? row[String(second)] : undefined
      if (value === undefined) throw unresolved(scope, `Fn::FindInMap [${String(map)}, ${String(top)}, ${String(second)}]`, where, 'no such mapping entry')
      return evaluate(value, scope, where)
    }
    case 'Fn::Base64':
      return Buffer.from(scalar(evaluate(arg, scope, where), scope, fn, where)).toString('base64')
    case 'Fn::ToJsonString':
      return JSON.stringify(evaluate(arg, scope, where))
    default:
      throw unresolved(scope, fn, where, UNKNOWABLE[fn] ?? 'unknown intrinsic function')
  }
}

function scalar(value: unknown, scope: IntrinsicScope, fn: string, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw unresolved(scope, fn, where, `a value is ${JSON.stringify(value)}, not a string`)
}

function ref(name: string, scope: IntrinsicScope, where: string): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE
  if (name.startsWith('AWS::')) {
    const value = scope.pseudo(name)
    if (value === undefined) throw unresolved(scope, `Ref ${name}`, where, PSEUDO_MISSING[name] ?? `${name} is not known before a deploy`)
    return value
  }
  const parameter = scope.parameter(name, where)
  if (parameter !== undefined) return parameter
  const resource = scope.resourceRef(name, where)
  if (resource !== undefined) return resource
  throw unresolved(scope, `Ref ${name}`, where, `the template has no parameter or table named ${name}`)
}

function sub(text: string, values: Record<string, unknown>, scope: IntrinsicScope, where: string): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const name = inner.trim()
    if (name.startsWith('!')) return `\${${name.slice(1)}}`
    if (name in values) return scalar(values[name], scope, 'Fn::Sub', where)
    if (!name.startsWith('AWS::') && name.includes('.')) throw unresolved(scope, `${whole} (Fn::GetAtt)`, where, UNKNOWABLE['Fn::GetAtt'] as string)
    return scalar(ref(name, scope, where), scope, 'Fn::Sub', where)
  })
}

function namedCondition(name: string, scope: IntrinsicScope, where: string): boolean {
  const expression = scope.condition(name)
  if (expression === undefined) throw unresolved(scope, `Condition ${name}`, where, 'the template has no such condition')
  return condition(expression, scope, `Conditions.${name}`)
}

/** A condition expression (Fn::Equals, ..., or `{Condition: name}`) as a boolean. */
export function condition(expression: unknown, scope: IntrinsicScope, where: string): boolean {
  if (isRecord(expression) && typeof expression.Condition === 'string' && Object.keys(expression).length === 1) return namedCondition(expression.Condition, scope, where)
  const value = evaluate(expression, scope, where)
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === 'false') return value === 'true'
  throw unresolved(scope, 'a condition', where, `it evaluates to ${JSON.stringify(value)}, not true or false`)
}
