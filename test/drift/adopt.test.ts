// Adopt by import, against dynalite holding the article's three tables and the article's
// serverless.yml. Its own server: drift lists every table, and the article's exact names are
// also created by drift.test.ts on the shared one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { promises as fs, readFileSync } from 'node:fs'
import path from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { startDynalite, type LocalServer } from '../../scripts/local-servers.mjs'
import { ADOPT_FILES, adoptionFiles, writeAdoptionFiles, type ResourceToImport } from '../../src/drift/adopt-files.js'
import { runDrift, type DriftOptions } from '../../src/drift/drift.js'
import { readLiveSchema } from '../../src/drift/live.js'
import { renderDriftMarkdown } from '../../src/drift/render.js'
import { tableSchemaFromProperties } from '../../src/drift/table-properties.js'
import { templateChanges } from '../../src/drift/template-changes.js'
import { createTable, localClient, orderTrackingSchema, tempDir, testContext } from '../helpers/dynamo.js'

const SERVERLESS = 'test/fixtures/drift/serverless.yml'
const CLOUDFORMATION = 'test/fixtures/drift/cloudformation.yml'

/** The planted differences on prod: PROVISIONED capacity, and no companyId-createdAt-index. */
const prodSchema = () => {
  const base = orderTrackingSchema('prod-order-tracking')
  return {
    ...base,
    BillingMode: 'PROVISIONED' as const,
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    AttributeDefinitions: base.AttributeDefinitions?.filter((a) => a.AttributeName !== 'createdAt'),
    GlobalSecondaryIndexes: base.GlobalSecondaryIndexes?.filter((g) => g.IndexName === 'recordId-index').map((g) => ({ ...g, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }))
  }
}

let server: LocalServer
let client: DynamoDBClient
let work: string

beforeAll(async () => {
  server = await startDynalite()
  client = localClient(server.endpoint)
  work = await tempDir('adopt-test-')
  for (const table of [orderTrackingSchema('order-tracking-qa'), orderTrackingSchema('order-tracking-uat'), prodSchema()]) await createTable(client, table)
}, 60_000)

afterAll(async () => {
  client.destroy()
  await server.stop()
  await fs.rm(work, { recursive: true, force: true })
})

const drift = (stage: string, extra: Partial<DriftOptions> = {}) =>
  runDrift(testContext(client), { namingConvention: '${stage}-${name}', stage, iacTemplate: SERVERLESS, template: { env: {} }, ...extra })

const paths = (recommendations: { table: string; path: string; target: string }[]) => recommendations.map((r) => `${r.table}: ${r.path} -> ${r.target}`)

describe("recommended paths for the article's tables and serverless.yml", () => {
  it('qa and uat: migrate by copy into the names the template gives', async () => {
    const qa = await drift('qa')
    expect(paths(qa.recommendations)).toEqual(['order-tracking-qa: migrate -> qa-order-tracking'])
    expect(qa.recommendations[0]?.why).toContain('An import cannot rename a table')
    expect(qa.recommendations[0]?.alternative?.path).toBe('live-migrate')
    const uat = await drift('uat')
    expect(paths(uat.recommendations)).toEqual(['order-tracking-uat: migrate -> uat-order-tracking'])
  })

  it('prod: adopt prod-order-tracking by import, the temp-table round trip as the alternative', async () => {
    const prod = await drift('prod')
    const [rec] = prod.recommendations
    expect(paths(prod.recommendations)).toEqual(['prod-order-tracking: adopt -> prod-order-tracking'])
    expect(rec).toMatchObject({ iacLogicalId: 'OrderTrackingTable', alternative: { path: 'temp-table' } })
    expect(rec?.why).toContain('no copy and no moment without it')
    expect(rec?.alternative?.why).toContain('prod-order-tracking-temp')
    // the planted differences, as template edits with the live values
    const changes = Object.fromEntries((rec?.templateChanges ?? []).map((c) => [c.path, c]))
    expect(Object.keys(changes)).toEqual(['Properties.BillingMode', 'Properties.AttributeDefinitions', 'Properties.ProvisionedThroughput', 'Properties.GlobalSecondaryIndexes'])
    expect(changes['Properties.BillingMode']).toMatchObject({ template: 'PAY_PER_REQUEST', value: 'PROVISIONED', restore: 'in-place' })
    expect(changes['Properties.ProvisionedThroughput']).toMatchObject({ value: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } })
    expect(changes['Properties.GlobalSecondaryIndexes']?.difference).toContain('companyId-createdAt-index in the template only')
    expect(changes['Properties.AttributeDefinitions']?.difference).toBe('createdAt in the template only')
    // the template has DeletionPolicy: Retain: nothing to add
    expect(changes.DeletionPolicy).toBeUndefined()
    expect(rec?.notes).toEqual([])
    // drift's temp-table pair stays, as the fallback
    expect(prod.migrations.map((m) => m.strategy)).toEqual(['temp-table'])
  })

  it('prod with the stack owning the table (managed-tables): conforming', async () => {
    const prod = await drift('prod', { managedTables: ['prod-order-tracking'] })
    expect(paths(prod.recommendations)).toEqual(['prod-order-tracking: conforming -> prod-order-tracking'])
    expect(prod.recommendations[0]?.why).toContain('the next deploy changes it')
  })

  it('the job summary shows the path and why for each table', async () => {
    const prod = renderDriftMarkdown(await drift('prod'))
    expect(prod).toContain('#### Recommended path')
    expect(prod).toMatch(/\| `prod-order-tracking` \| 📥 adopt by import \| prod-order-tracking has the template's name \(OrderTrackingTable\)/)
    expect(prod).toContain('Instead: temp-table round trip: copy prod-order-tracking to prod-order-tracking-temp')
    const qa = renderDriftMarkdown(await drift('qa'))
    expect(qa).toContain('| `order-tracking-qa` | 🚚 migrate by copy → `qa-order-tracking` |')
  })
})

describe('the adoption files', () => {
  it('nothing to adopt in qa: no files', async () => {
    expect(adoptionFiles(await drift('qa'))).toEqual([])
    expect(await writeAdoptionFiles(await drift('qa'), path.join(work, 'none'))).toEqual([])
  })

  it('resources-to-import.json, table-resources.json, import.tf and the template changes for prod-order-tracking', async () => {
    const dir = path.join(work, 'prod')
    const written = await writeAdoptionFiles(await drift('prod'), dir, { region: 'us-east-1' })
    expect(written.map((f) => path.basename(f)).sort()).toEqual(Object.values(ADOPT_FILES).sort())
    const read = (name: string) => readFileSync(path.join(dir, name), 'utf8')

    const resources = JSON.parse(read(ADOPT_FILES.resourcesToImport)) as ResourceToImport[]
    expect(resources).toEqual([{ ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: 'OrderTrackingTable', ResourceIdentifier: { TableName: 'prod-order-tracking' } }])

    // the generated resource describes the live table exactly: read back as a template, no change left
    const tableResources = JSON.parse(read(ADOPT_FILES.tableResources)) as Record<string, { Type: string; DeletionPolicy: string; Properties: Record<string, unknown> }>
    expect(Object.keys(tableResources)).toEqual(['OrderTrackingTable'])
    expect(tableResources.OrderTrackingTable).toMatchObject({ Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Retain', Properties: { TableName: 'prod-order-tracking', BillingMode: 'PROVISIONED' } })
    const live = await readLiveSchema(testContext(client), 'prod-order-tracking', [])
    expect(templateChanges(live!, tableSchemaFromProperties(tableResources.OrderTrackingTable?.Properties, 'table-resources.json', 'OrderTrackingTable'))).toEqual([])

    expect(read(ADOPT_FILES.terraform)).toContain('import {\n  to = aws_dynamodb_table.prod_order_tracking\n  id = "prod-order-tracking"\n}')

    const md = read(ADOPT_FILES.templateChanges)
    expect(md).toContain('## `prod-order-tracking`: `resources.Resources.OrderTrackingTable`')
    expect(md).toContain('- **`Properties.BillingMode`**: template PAY_PER_REQUEST, live PROVISIONED.')
    expect(md).toContain('  BillingMode: PROVISIONED')
    expect(md).toContain('companyId-createdAt-index in the template only')
    expect(md).toContain('.serverless/cloudformation-template-update-stack.json')
    expect(md).not.toContain('DeletionPolicy`**')
  })

  it('commands.sh: the IMPORT change set on the deployed template plus the table, checked with a stand-in aws', async () => {
    const dir = path.join(work, 'commands')
    await writeAdoptionFiles(await drift('prod'), dir, { region: 'eu-west-1' })
    const script = readFileSync(path.join(dir, ADOPT_FILES.commands), 'utf8')
    expect(script).toContain("STACK='order-tracking-prod'")
    expect(script).toContain("CHANGE_SET='adopt-prod-order-tracking'")
    expect(script).toContain('--change-set-type IMPORT --resources-to-import "file://$HERE/resources-to-import.json" --template-body "file://$HERE/import-template.json"')

    // A stand-in for the AWS CLI: logs each call, checks file:// arguments exist, answers get-template.
    const bin = path.join(work, 'bin')
    await fs.mkdir(bin, { recursive: true })
    await fs.writeFile(
      path.join(bin, 'aws'),
      [
        '#!/bin/sh',
        'echo "$*" >> "$AWS_LOG"',
        'for a in "$@"; do case "$a" in file://*) test -f "${a#file://}" || { echo "missing ${a#file://}" >&2; exit 3; };; esac; done',
        'case "$2" in get-template) cat "$DEPLOYED";; detect-stack-resource-drift) echo IN_SYNC;; esac'
      ].join('\n') + '\n',
      { mode: 0o755 }
    )
    const deployed = { AWSTemplateFormatVersion: '2010-09-09', Resources: { ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket' } }, Outputs: { ServerlessDeploymentBucketName: { Value: { Ref: 'ServerlessDeploymentBucket' } } } }
    await fs.writeFile(path.join(work, 'deployed.json'), JSON.stringify(deployed))
    const log = path.join(work, 'aws.log')
    const out = execFileSync('sh', [path.join(dir, ADOPT_FILES.commands)], {
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, AWS_LOG: log, DEPLOYED: path.join(work, 'deployed.json'), ADOPT_EXECUTE: 'yes' },
      encoding: 'utf8'
    })
    expect(out.trim().split('\n').pop()).toBe('IN_SYNC')
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '))
    expect(calls).toEqual([
      'cloudformation get-template',
      'cloudformation create-change-set',
      'cloudformation wait',
      'cloudformation describe-change-set',
      'cloudformation execute-change-set',
      'cloudformation wait',
      'cloudformation detect-stack-resource-drift'
    ])
    expect(readFileSync(log, 'utf8')).toContain('--region eu-west-1 --stack-name order-tracking-prod --change-set-name adopt-prod-order-tracking --change-set-type IMPORT')
    // the import template: the deployed one, unchanged, plus the table
    const merged = JSON.parse(readFileSync(path.join(dir, 'import-template.json'), 'utf8'))
    expect(merged.Outputs).toEqual(deployed.Outputs)
    expect(Object.keys(merged.Resources)).toEqual(['ServerlessDeploymentBucket', 'OrderTrackingTable'])
    expect(merged.Resources.OrderTrackingTable.Properties.TableName).toBe('prod-order-tracking')
  })

  it('a template without DeletionPolicy: adding it is a required change', async () => {
    const file = path.join(work, 'serverless.yml')
    await fs.writeFile(file, readFileSync(SERVERLESS, 'utf8').replace(/^\s*DeletionPolicy: Retain\n/m, '\n'))
    const report = await drift('prod', { iacTemplate: file })
    const changes = report.recommendations[0]?.templateChanges ?? []
    expect(changes.at(-1)).toMatchObject({ path: 'DeletionPolicy', value: 'Retain' })
    expect(report.recommendations[0]?.why).toContain('and add DeletionPolicy: Retain')
    const md = adoptionFiles(report).find((f) => f.name === ADOPT_FILES.templateChanges)?.content
    expect(md).toContain('- **`DeletionPolicy`**: not set: CloudFormation imports only resources that have a DeletionPolicy.')
    expect(md).toContain('  DeletionPolicy: Retain')
  })
})

describe('a CloudFormation template (stage prod)', () => {
  beforeAll(async () => {
    await createTable(client, { TableName: 'prod-audit-log', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] })
  })

  const cfn = () => drift('prod', { iacTemplate: CLOUDFORMATION, template: { stackName: 'orders-prod' } })

  it('a local secondary index the live table lacks: the temp-table round trip; the audit log: adopt', async () => {
    const report = await cfn()
    expect(paths(report.recommendations)).toEqual(['prod-audit-log: adopt -> prod-audit-log', 'prod-order-tracking: temp-table -> prod-order-tracking'])
    const tracking = report.recommendations[1]
    expect(tracking?.why).toContain('companyId-createdAt-lsi in the template only')
    expect(tracking?.alternative?.path).toBe('adopt')
    expect(report.recommendations[0]?.templateChanges?.map((c) => c.path)).toContain('DeletionPolicy')
  })

  it('commands.sh imports with the template file itself and its parameters', async () => {
    const files = Object.fromEntries(adoptionFiles(await cfn(), { region: 'us-east-1' }).map((f) => [f.name, f.content]))
    expect(JSON.parse(files[ADOPT_FILES.resourcesToImport] as string)).toEqual([{ ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: 'AuditLogTable', ResourceIdentifier: { TableName: 'prod-audit-log' } }])
    const script = files[ADOPT_FILES.commands] as string
    expect(script).toContain("STACK='orders-prod'")
    expect(script).toContain("--template-body 'file://test/fixtures/drift/cloudformation.yml'")
    expect(script).toContain("--parameters 'ParameterKey=Stage,ParameterValue=prod' 'ParameterKey=ServiceName,ParameterValue=order-tracking'")
    expect(script).not.toContain('get-template')
    expect(files[ADOPT_FILES.templateChanges]).toContain('## `prod-audit-log`: `Resources.AuditLogTable`')
    execFileSync('sh', ['-n'], { input: script })
  })
})
