import { describe, expect, it } from '@jest/globals'
import { diffSchemas } from '../../src/dynamo/schema-diff.js'
import { MigrationError } from '../../src/errors.js'
import { loadIacTemplate, type TemplateOptions } from '../../src/drift/template.js'
import { parseTemplateText } from '../../src/drift/template-file.js'
import { orderTrackingSchema } from '../helpers/dynamo.js'

const FIXTURES = 'test/fixtures/drift'

function inline(text: string, file = 'inline.yml', options: Partial<TemplateOptions> = {}) {
  return loadIacTemplate(file, { stage: 'qa', env: {}, readFile: () => text, ...options })
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

const names = (t: { tables: { tableName?: string }[] }) => t.tables.map((x) => x.tableName)

describe("the article's serverless.yml", () => {
  it.each(['qa', 'uat', 'prod'])('stage %s: ${sls:stage}-order-tracking', (stage) => {
    const template = loadIacTemplate(`${FIXTURES}/serverless.yml`, { stage, env: {} })
    expect(template).toMatchObject({ kind: 'serverless', service: 'order-tracking', notes: [] })
    expect(template.tables).toHaveLength(1)
    expect(template.tables[0]).toMatchObject({ logicalId: 'OrderTrackingTable', tableName: `${stage}-order-tracking`, deletionPolicy: 'Retain' })
  })

  it('maps the resource to the CreateTable input the engine uses: no difference with the article table', () => {
    const [table] = loadIacTemplate(`${FIXTURES}/serverless.yml`, { stage: 'qa', env: {} }).tables
    expect(table?.schema.createTable).toEqual(orderTrackingSchema('qa-order-tracking'))
    expect(table?.schema).toMatchObject({ timeToLiveAttribute: null, pointInTimeRecovery: false })
    expect(diffSchemas({ createTable: orderTrackingSchema('x') }, table!.schema)).toEqual({ blocking: [], warnings: [] })
  })
})

describe('a serverless.yml with self:, opt:, param:, env:, file() and short forms', () => {
  const load = (stage: string, extra: Partial<TemplateOptions> = {}) => loadIacTemplate(`${FIXTURES}/serverless-variables.yml`, { stage, env: {}, ...extra })

  it('resolves each table for the stage, skipping what only other resources use (ssm)', () => {
    expect(names(load('qa'))).toEqual(['qa-orders-invoices', 'orders-qa-audit-eu-west-1', 'qa-orders-sessions'])
    expect(names(load('prod'))).toEqual(['prod-orders-invoices', 'orders-prod-audit-eu-west-1', 'prod-orders-sessions'])
  })

  it('per-stage values: billing by nested address with a fallback, capacity from params', () => {
    const [qa] = load('qa').tables
    const [prod] = load('prod').tables
    expect(qa?.schema.createTable).toMatchObject({ BillingMode: 'PAY_PER_REQUEST' })
    expect(qa?.schema.createTable.ProvisionedThroughput).toBeUndefined()
    expect(prod?.schema.createTable).toMatchObject({ BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 10 } })
  })

  it('env: with a fallback, TTL, streams', () => {
    const template = load('qa', { env: { TEAM: 'payments' } })
    expect(template.tables[0]?.schema.tags).toEqual([{ Key: 'team', Value: 'payments' }])
    expect(load('qa').tables[0]?.schema.tags).toEqual([{ Key: 'team', Value: 'billing' }])
    expect(template.tables[1]?.schema.timeToLiveAttribute).toBe('expiresAt')
    expect(template.tables[2]?.schema.createTable.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' })
  })

  it('AWS::StackName is <service>-<stage> unless given; AWS::Region follows the region option', () => {
    expect(load('qa', { region: 'us-west-2', stackName: 'custom-stack' }).tables[1]?.tableName).toBe('custom-stack-audit-us-west-2')
  })
})

describe('CloudFormation templates', () => {
  it('YAML short forms: !Sub, !Ref parameters (Stage takes the stage), !Join, !Select, !Split, !If, !FindInMap, conditions', () => {
    const qa = loadIacTemplate(`${FIXTURES}/cloudformation.yml`, { stage: 'qa', stackName: 'orders-qa' })
    expect(qa.kind).toBe('cloudformation')
    expect(qa.parameters).toEqual({ Stage: 'qa', ServiceName: 'order-tracking' })
    expect(names(qa)).toEqual(['qa-order-tracking', 'qa-audit-log', 'orders-qa-scratch'])
    expect(qa.tables[0]?.schema.createTable).toMatchObject({ BillingMode: 'PAY_PER_REQUEST' })
    expect(qa.tables[0]?.schema.createTable.ProvisionedThroughput).toBeUndefined()
    expect(qa.tables[0]?.schema.createTable.LocalSecondaryIndexes).toEqual([
      {
        IndexName: 'companyId-createdAt-lsi',
        KeySchema: [
          { AttributeName: 'companyId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'amount'] }
      }
    ])
    expect(qa.tables[1]?.schema.pointInTimeRecovery).toBe(true)

    const prod = loadIacTemplate(`${FIXTURES}/cloudformation.yml`, { stage: 'prod' })
    expect(names(prod)).toEqual(['prod-order-tracking', 'prod-audit-log'])
    expect(prod.notes).toEqual(['StackScopedTable is not created for stage prod (condition NotProd is false)'])
    expect(prod.tables[0]?.schema.createTable).toMatchObject({ BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 25, WriteCapacityUnits: 10 } })
  })

  it('parameter values given override the defaults and the stage rule', () => {
    const t = loadIacTemplate(`${FIXTURES}/cloudformation.yml`, { stage: 'qa', stackName: 's', parameters: { Stage: 'sandbox', ServiceName: 'shipments' } })
    expect(names(t)).toEqual(['sandbox-shipments', 'sandbox-audit-log', 's-scratch'])
  })

  it('JSON long forms: Fn::Join, Fn::Sub with variables, Ref to another table, numbers as strings, SSE, tags', () => {
    const t = loadIacTemplate(`${FIXTURES}/cloudformation.json`, { stage: 'qa', parameters: { Prefix: 'globex' } })
    expect(names(t)).toEqual(['qa-globex-orders', 'qa-globex-orders-copy', undefined])
    expect(t.tables[0]?.schema.createTable).toMatchObject({
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      GlobalSecondaryIndexes: [{ IndexName: 'sk-index', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 }, Projection: { ProjectionType: 'KEYS_ONLY' } }]
    })
    expect(t.tables[1]?.schema).toMatchObject({ createTable: { SSESpecification: { Enabled: true, SSEType: 'KMS' } }, tags: [{ Key: 'env', Value: 'qa' }] })
    expect(t.notes).toEqual([expect.stringContaining('Unnamed has no TableName')])
  })

  it('reads the short forms into long forms', () => {
    const doc = parseTemplateText('a: !GetAtt T.Arn\nb: !Sub [ "${X}", { X: !Ref P } ]\nc: !If [C, !Select [0, [x]], !Ref AWS::NoValue]\nd: !Join\n  - "-"\n  - [a, b]\ne: !Condition C', 't.yml')
    expect(doc).toEqual({
      a: { 'Fn::GetAtt': ['T', 'Arn'] },
      b: { 'Fn::Sub': ['${X}', { X: { Ref: 'P' } }] },
      c: { 'Fn::If': ['C', { 'Fn::Select': [0, ['x']] }, { Ref: 'AWS::NoValue' }] },
      d: { 'Fn::Join': ['-', ['a', 'b']] },
      e: { Condition: 'C' }
    })
  })
})

const TABLE = (name: string) => `Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: ${name}\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n`

describe('template errors', () => {
  it.each([
    ['!GetAtt Other.Arn', 'Fn::GetAtt', 'resource attributes are only known once deployed'],
    ["!Sub '${Other.Arn}-x'", '${Other.Arn} (Fn::GetAtt)', 'only known once deployed'],
    ['!ImportValue shared-name', 'Fn::ImportValue', 'exports of other stacks'],
    ['!Ref Missing', 'Ref Missing', 'the template has no parameter or table named Missing'],
    ['!Ref AWS::AccountId', 'Ref AWS::AccountId', 'the AWS account id is not known'],
    ['!Ref NoDefault', 'Ref NoDefault', 'the parameter NoDefault has no Default and no value was given']
  ])('%s: TEMPLATE_UNRESOLVED naming it, the file and the property', (value, what, reason) => {
    const error = thrown(() => inline(`Parameters:\n  NoDefault:\n    Type: String\n${TABLE(value)}`, 'stack.yml'))
    expect(error.code).toBe('TEMPLATE_UNRESOLVED')
    expect(error.message).toContain(`Cannot resolve ${what} in stack.yml at Resources.T.Properties.TableName: `)
    expect(error.message).toContain(reason)
  })

  it('a serverless.yml variable: names the variable, the file and the property', () => {
    const error = thrown(() => inline(`service: s\nresources:\n  ${TABLE('${ssm:/tables/orders}').replace(/\n/g, '\n  ')}`, 'serverless.yml'))
    expect(error.code).toBe('TEMPLATE_UNRESOLVED')
    expect(error.message).toContain('Cannot resolve the variable ${ssm:/tables/orders} in serverless.yml at resources.Resources.T.Properties.TableName')
  })

  it('only table resources are resolved', () => {
    const text = `${TABLE('qa-ok')}  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt X.Y\n`
    expect(names(inline(text))).toEqual(['qa-ok'])
  })

  it.each([
    ['invalid YAML', 'a: [unclosed', 'Cannot parse the template inline.yml'],
    ['neither kind', 'just: a map', 'is neither a serverless.yml'],
    ['no KeySchema', 'Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: x\n      AttributeDefinitions: []', 'Resources.T.Properties.KeySchema is missing'],
    ['a bad BillingMode', TABLE('x').replace('PAY_PER_REQUEST', 'ON_DEMAND'), 'BillingMode is ON_DEMAND, not PROVISIONED or PAY_PER_REQUEST']
  ])('INVALID_INPUT: %s', (_label, text, message) => {
    const error = thrown(() => inline(text))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain(message)
  })

  it('a missing file', () => {
    const error = thrown(() => loadIacTemplate(`${FIXTURES}/nope.yml`, { stage: 'qa' }))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain(`Cannot read the template ${FIXTURES}/nope.yml`)
  })
})
