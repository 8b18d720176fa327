import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { MigrationError } from '../../src/errors.js'
import { parsePieces } from '../../src/drift/variable-syntax.js'
import { ServerlessVariables, type VariableSources } from '../../src/drift/variables.js'

const FILE = 'services/orders/serverless.yml'

function variables(yaml: string, sources: Partial<VariableSources> = {}): ServerlessVariables {
  return new ServerlessVariables(parse(yaml) as Record<string, unknown>, FILE, { stage: 'qa', env: {}, ...sources })
}

function thrown(fn: () => unknown): MigrationError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(MigrationError)
    return error as MigrationError
  }
  throw new Error('expected an error')
}

const CONFIG = `
service: order-tracking
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  region: \${opt:region, 'eu-west-1'}
custom:
  stage: \${self:provider.stage}
  prefix: \${sls:stage}-\${self:service}
  tables:
    qa: \${self:custom.prefix}-qa-only
    default: \${self:custom.prefix}
  table: \${self:custom.tables.\${sls:stage}, self:custom.tables.default}
  capacity: 5
  enabled: true
`

describe('Serverless variables', () => {
  it('${opt:stage, ...}, ${sls:stage} and ${self:provider.stage} resolve to the stage given', () => {
    const v = variables(CONFIG)
    expect(v.get('provider.stage')).toBe('qa')
    expect(v.get('custom.stage')).toBe('qa')
    expect(v.shallow('${sls:stage}-order-tracking', 'TableName')).toBe('qa-order-tracking')
    expect(v.shallow("${opt:stage, 'dev'}", 'x')).toBe('qa')
  })

  it('${self:service} and ${self:custom.*}, nested addresses and fallbacks', () => {
    expect(variables(CONFIG).get('custom.table')).toBe('qa-order-tracking-qa-only')
    expect(variables(CONFIG, { stage: 'prod' }).get('custom.table')).toBe('prod-order-tracking')
    expect(variables('service:\n  name: legacy-form\nx: ${self:service}-t').get('x')).toBe('legacy-form-t')
  })

  it('keeps the type of a whole-value variable, stringifies inside text', () => {
    const v = variables(CONFIG)
    expect(v.shallow('${self:custom.capacity}', 'x')).toBe(5)
    expect(v.shallow('${self:custom.enabled}', 'x')).toBe(true)
    expect(v.shallow('cap-${self:custom.capacity}', 'x')).toBe('cap-5')
    expect(v.deep({ a: ['${self:custom.tables}'] }, 'x')).toEqual({ a: [{ qa: 'qa-order-tracking-qa-only', default: 'qa-order-tracking' }] })
  })

  it('falls back through env:, self: and literals of every kind', () => {
    const v = variables(CONFIG, { env: { TEAM: 'ops' } })
    expect(v.shallow("${env:TEAM, 'none'}", 'x')).toBe('ops')
    expect(v.shallow("${env:MISSING, 'none'}", 'x')).toBe('none')
    expect(v.shallow('${env:MISSING, self:custom.missing, self:service}', 'x')).toBe('order-tracking')
    expect(v.shallow("${env:MISSING, ${env:ALSO_MISSING, 'deep'}}", 'x')).toBe('deep')
    expect(v.shallow('${env:MISSING, 3}', 'x')).toBe(3)
    expect(v.shallow('${env:MISSING, false}', 'x')).toBe(false)
    expect(v.shallow('${env:MISSING, "double, quoted"}', 'x')).toBe('double, quoted')
  })

  it('${self:provider.stage} and ${self:provider.region} not written in the file: the stage and region given', () => {
    const v = variables('service: s\nprovider:\n  name: aws', { stage: 'uat' })
    expect(v.shallow('${self:provider.stage}-${self:provider.region}', 'x')).toBe('uat-us-east-1')
  })

  it('${aws:region} and ${opt:region}: the option, else provider.region', () => {
    expect(variables(CONFIG).shallow('${aws:region}', 'x')).toBe('eu-west-1')
    expect(variables(CONFIG, { region: 'ap-south-1' }).shallow('${aws:region}/${opt:region}', 'x')).toBe('ap-south-1/ap-south-1')
  })

  it('${param:...}: the stage entry, else default', () => {
    const yaml = 'service: s\nparams:\n  prod:\n    size: 10\n  default:\n    size: 1'
    expect(variables(yaml, { stage: 'prod' }).shallow('${param:size}', 'x')).toBe(10)
    expect(variables(yaml).shallow('${param:size}', 'x')).toBe(1)
  })

  it('${file(...)}: a YAML file beside the serverless.yml, whole or one address', () => {
    const files: Record<string, string> = { 'services/orders/config/tables.yml': 'orders:\n  name: ${sls:stage}-orders\n  other: ${ssm:/never/read}' }
    const readFile = (p: string) => {
      const key = Object.keys(files).find((k) => p.endsWith(k))
      if (!key) throw new Error(`ENOENT: ${p}`)
      return files[key] as string
    }
    const v = variables('service: s', { readFile })
    expect(v.shallow('${file(./config/tables.yml):orders.name}', 'x')).toBe('qa-orders')
    expect(thrown(() => v.shallow('${file(./config/missing.yml):a}', 'x')).message).toContain('missing.yml')
  })

  it('leaves CloudFormation Fn::Sub syntax alone', () => {
    const v = variables(CONFIG)
    expect(v.shallow('${AWS::StackName}-${Stage}-${Table.Arn}-${!Literal}', 'x')).toBe('${AWS::StackName}-${Stage}-${Table.Arn}-${!Literal}')
    expect(v.shallow('${AWS::Region}-${sls:stage}', 'x')).toBe('${AWS::Region}-qa')
  })

  it('resolves lazily: an unresolvable variable elsewhere does not matter', () => {
    const v = variables(`${CONFIG}\nprovider2:\n  secret: \${ssm:/orders/secret}`)
    expect(v.get('custom.table')).toBe('qa-order-tracking-qa-only')
  })
})

describe('Serverless variables that cannot be resolved', () => {
  it('${ssm:...}: a TEMPLATE_UNRESOLVED error naming the variable, the file and the property', () => {
    const v = variables('service: s\nresources:\n  Resources:\n    T:\n      Properties:\n        TableName: ${ssm:/orders/table-name}')
    const error = thrown(() => v.get('resources.Resources.T.Properties.TableName'))
    expect(error.code).toBe('TEMPLATE_UNRESOLVED')
    expect(error.message).toBe(
      "Cannot resolve the variable ${ssm:/orders/table-name} in services/orders/serverless.yml at resources.Resources.T.Properties.TableName: ssm values are only known with AWS access during a deploy. Give it a value, or a fallback such as ${ssm:/orders/table-name, 'value'}."
    )
    expect(error.details).toEqual({ variable: '${ssm:/orders/table-name}', file: FILE, where: 'resources.Resources.T.Properties.TableName' })
    expect(error.isRefusal).toBe(true)
  })

  it.each([
    ['${self:custom.nope}', '"custom.nope" is not set in services/orders/serverless.yml'],
    ['${env:NOT_SET}', 'the environment variable NOT_SET is not set'],
    ['${opt:profile}', 'no --profile option is given'],
    ['${aws:accountId}', 'the AWS account id is not given'],
    ['${cf:other-stack.Output}', 'cf values are only known with AWS access'],
    ['${sls:instanceId}', 'only known during a deploy'],
    ['${foo:bar}', 'the variable source "foo" is not supported'],
    ['${env:NOT_SET, ssm:/x}', 'ssm values are only known'],
    ['${file(./handler.js):name}', 'only YAML and JSON files can be read'],
    ['x-${self:custom}', 'it is an object or a list, inside a string']
  ])('%s', (text, reason) => {
    const error = thrown(() => variables('service: s\ncustom:\n  a: 1').shallow(text, 'provider.x'))
    expect(error.code).toBe('TEMPLATE_UNRESOLVED')
    expect(error.message).toContain(reason)
    expect(error.message).toContain(FILE)
    expect(error.message).toContain('at provider.x')
  })

  it('a circular reference', () => {
    const error = thrown(() => variables('service: s\ncustom:\n  a: ${self:custom.b}\n  b: x-${self:custom.a}').get('custom.a'))
    expect(error.code).toBe('TEMPLATE_UNRESOLVED')
    expect(error.message).toContain('refers back to itself (self:custom.a → self:custom.b → self:custom.a)')
  })
})

describe('variable syntax', () => {
  it('splits text, variables, fallbacks and nesting', () => {
    const pieces = parsePieces("${sls:stage}-x-${self:custom.t.${opt:stage}, 'd, e'}")
    expect(pieces).toHaveLength(3)
    expect(pieces[1]).toBe('-x-')
    expect(pieces[2]).toMatchObject({ raw: "${self:custom.t.${opt:stage}, 'd, e'}", alternatives: [{ kind: 'source', source: 'self' }, { kind: 'literal', value: 'd, e' }] })
  })

  it('file(...) with and without an address', () => {
    expect(parsePieces('${file(./a.yml)}')[0]).toMatchObject({ alternatives: [{ kind: 'source', source: 'file', param: ['./a.yml'], address: [] }] })
    expect(parsePieces('${file(./a.yml):x.y}')[0]).toMatchObject({ alternatives: [{ kind: 'source', source: 'file', param: ['./a.yml'], address: ['x.y'] }] })
  })

  it('an unterminated ${ stays text', () => {
    expect(parsePieces('a-${sls:stage')).toEqual(['a-${sls:stage'])
  })
})
