import { promises as fs } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import type { Recommendation } from './adopt.js'
import type { DriftReport } from './drift.js'
import type { TemplateChange } from './template-changes.js'

/**
 * The files that adopt the tables drift recommends importing: the `resources-to-import` JSON
 * and the command lines of a CloudFormation IMPORT change set, a Terraform `import` block, and
 * the template edits to make first so the import does not fail half-way.
 */

export const ADOPT_FILES = {
  resourcesToImport: 'resources-to-import.json',
  tableResources: 'table-resources.json',
  commands: 'commands.sh',
  terraform: 'import.tf',
  templateChanges: 'required-template-changes.md'
} as const

export interface AdoptFilesOptions {
  /** The region for the commands; default the template's (provider.region, else us-east-1). */
  region?: string
}

export interface AdoptFile {
  name: string
  content: string
}

/** One `resources-to-import` entry: the template's logical id and the table's name. */
export interface ResourceToImport {
  ResourceType: 'AWS::DynamoDB::Table'
  LogicalResourceId: string
  ResourceIdentifier: { TableName: string }
}

/** The report's tables to adopt (path `adopt`), with the template resource each goes into. */
export function tablesToAdopt(report: DriftReport): (Recommendation & { iacLogicalId: string })[] {
  return report.recommendations.filter((r): r is Recommendation & { iacLogicalId: string } => r.path === 'adopt' && !!r.iacLogicalId)
}

/** The files' contents; none when nothing is to be adopted. */
export function adoptionFiles(report: DriftReport, options: AdoptFilesOptions = {}): AdoptFile[] {
  const tables = tablesToAdopt(report)
  if (!tables.length || !report.template) return []
  const resources: ResourceToImport[] = tables.map((r) => ({ ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: r.iacLogicalId, ResourceIdentifier: { TableName: r.table } }))
  const tableResources: Record<string, unknown> = {}
  for (const r of tables) {
    const comparison = report.schemaComparisons.find((s) => s.table === r.table && s.relation === 'same-name')
    const policy = report.template.tables.find((t) => t.logicalId === r.iacLogicalId)?.deletionPolicy ?? 'Retain'
    tableResources[r.iacLogicalId] = { Type: 'AWS::DynamoDB::Table', DeletionPolicy: policy, Properties: comparison?.liveProperties ?? {} }
  }
  return [
    { name: ADOPT_FILES.resourcesToImport, content: JSON.stringify(resources, null, 2) + '\n' },
    { name: ADOPT_FILES.tableResources, content: JSON.stringify(tableResources, null, 2) + '\n' },
    { name: ADOPT_FILES.commands, content: commands(report, tables, options) },
    { name: ADOPT_FILES.terraform, content: terraform(tables) },
    { name: ADOPT_FILES.templateChanges, content: changesMarkdown(report, tables) }
  ]
}

/** Writes the files into `dir` (created if needed); returns their paths, none when nothing is to be adopted. */
export async function writeAdoptionFiles(report: DriftReport, dir: string, options: AdoptFilesOptions = {}): Promise<string[]> {
  const files = adoptionFiles(report, options)
  if (!files.length) return []
  await fs.mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const f of files) {
    const file = path.join(dir, f.name)
    await fs.writeFile(file, f.content, f.name.endsWith('.sh') ? { mode: 0o755 } : {})
    written.push(file)
  }
  return written
}

/** A change set name CloudFormation accepts: [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters. */
export function changeSetName(report: DriftReport, tables: Recommendation[]): string {
  const raw = tables.length === 1 ? `adopt-${tables[0]?.table}` : `adopt-${report.stage}-tables`
  return raw.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 128)
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** Merges the table resources into the deployed template; refuses a logical id the stack already has. */
const MERGE_SCRIPT =
  'const fs=require("fs");const [d,r,o]=process.argv.slice(1);let t=JSON.parse(fs.readFileSync(d,"utf8"));if(typeof t==="string")t=JSON.parse(t);' +
  'const add=JSON.parse(fs.readFileSync(r,"utf8"));const taken=Object.keys(add).filter((k)=>k in (t.Resources||{}));' +
  'if(taken.length){console.error("the stack already has "+taken.join(", ")+": nothing to import");process.exit(1)}' +
  't.Resources=Object.assign(t.Resources||{},add);fs.writeFileSync(o,JSON.stringify(t,null,2)+"\\n")'

function commands(report: DriftReport, tables: (Recommendation & { iacLogicalId: string })[], options: AdoptFilesOptions): string {
  const template = report.template as NonNullable<DriftReport['template']>
  const region = options.region ?? template.region ?? 'us-east-1'
  const serverless = template.kind === 'serverless'
  const names = tables.map((t) => t.table).join(', ')
  const lines = [
    '#!/bin/sh',
    `# Adopts ${names} into the CloudFormation stack in place: no copy, no moment without the table.`,
    `# Written by dynamodb-table-migrate (mode drift, stage ${report.stage}) from ${template.path}.`,
    '# First make the edits in required-template-changes.md, and change nothing else in the stack:',
    '# an IMPORT change set refuses any other change (resources, outputs). Run it from the repository root.',
    'set -eu',
    'HERE=$(cd "$(dirname "$0")" && pwd)',
    template.stackName ? `STACK=${quote(template.stackName)}` : `STACK=\${STACK:?set STACK to the name of the stack that deploys ${template.path}}`,
    `REGION=${quote(region)}`,
    `CHANGE_SET=${quote(changeSetName(report, tables))}`,
    ''
  ]
  let templateArg: string
  const parameters = Object.entries(template.parameters).map(([k, v]) => `ParameterKey=${k},ParameterValue=${v}`)
  if (serverless) {
    lines.push(
      '# 1. The template: the deployed stack\'s, plus the tables as resources (table-resources.json: the live tables,',
      '#    which is what the serverless.yml resources describe once edited). A freshly packaged',
      "#    .serverless/cloudformation-template-update-stack.json would also move the functions' code, which an import refuses.",
      'aws cloudformation get-template --region "$REGION" --stack-name "$STACK" --template-stage Original --query TemplateBody --output json > "$HERE/deployed-template.json"',
      `node -e ${quote(MERGE_SCRIPT)} "$HERE/deployed-template.json" "$HERE/${ADOPT_FILES.tableResources}" "$HERE/import-template.json"`,
      ''
    )
    templateArg = '"file://$HERE/import-template.json"'
  } else {
    templateArg = `${quote(`file://${template.path}`)}`
  }
  lines.push(
    `# ${serverless ? '2' : '1'}. The IMPORT change set. A template over 51,200 bytes must go through S3: upload it and use --template-url instead of --template-body.`,
    ...(parameters.length && !serverless ? ['#    Other parameters of the stack: add ParameterKey=<name>,UsePreviousValue=true for each.'] : []),
    [
      'aws cloudformation create-change-set --region "$REGION" --stack-name "$STACK" --change-set-name "$CHANGE_SET"',
      `--change-set-type IMPORT --resources-to-import "file://$HERE/${ADOPT_FILES.resourcesToImport}" --template-body ${templateArg}`,
      ...(parameters.length && !serverless ? [`--parameters ${parameters.map(quote).join(' ')}`] : []),
      '--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM'
    ].join(' \\\n  '),
    'aws cloudformation wait change-set-create-complete --region "$REGION" --stack-name "$STACK" --change-set-name "$CHANGE_SET"',
    '',
    `# ${serverless ? '3' : '2'}. Review: every change must be an Import of ${names}, nothing else.`,
    `aws cloudformation describe-change-set --region "$REGION" --stack-name "$STACK" --change-set-name "$CHANGE_SET" --query 'Changes[].ResourceChange.[Action,LogicalResourceId,PhysicalResourceId]' --output table`,
    'if [ "${ADOPT_EXECUTE:-}" != yes ]; then',
    '  printf \'Execute change set %s on %s? [y/N] \' "$CHANGE_SET" "$STACK"',
    '  read -r answer',
    '  [ "$answer" = y ] || { echo "not executed: aws cloudformation delete-change-set --region $REGION --stack-name $STACK --change-set-name $CHANGE_SET removes it"; exit 1; }',
    'fi',
    '',
    `# ${serverless ? '4' : '3'}. Execute and wait.`,
    'aws cloudformation execute-change-set --region "$REGION" --stack-name "$STACK" --change-set-name "$CHANGE_SET"',
    'aws cloudformation wait stack-import-complete --region "$REGION" --stack-name "$STACK"',
    '',
    `# ${serverless ? '5' : '4'}. The stack and the tables agree: each must say IN_SYNC.`,
    ...tables.map(
      (t) =>
        `aws cloudformation detect-stack-resource-drift --region "$REGION" --stack-name "$STACK" --logical-resource-id ${quote(t.iacLogicalId)} --query StackResourceDrift.StackResourceDriftStatus --output text`
    ),
    ''
  )
  return lines.join('\n')
}

/** A Terraform identifier for the table: letters, digits, underscores, not starting with a digit. */
export function terraformName(table: string): string {
  const name = table.replace(/[^A-Za-z0-9_]+/g, '_')
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`
}

function terraform(tables: Recommendation[]): string {
  const lines = [
    '# Adopts the tables into Terraform state without moving data (Terraform 1.5 or later).',
    '# No aws_dynamodb_table resource for them yet? `terraform plan -generate-config-out=generated_tables.tf`',
    '# writes them from the live tables. Otherwise edit yours as required-template-changes.md lists, until',
    '# `terraform plan` shows the import and no change to the tables. Older Terraform:',
    ...tables.map((t) => `#   terraform import aws_dynamodb_table.${terraformName(t.table)} ${t.table}`),
    ''
  ]
  for (const t of tables) lines.push('import {', `  to = aws_dynamodb_table.${terraformName(t.table)}`, `  id = ${JSON.stringify(t.table)}`, '}', '')
  return lines.join('\n')
}

function changesMarkdown(report: DriftReport, tables: Recommendation[]): string {
  const template = report.template as NonNullable<DriftReport['template']>
  const json = /\.json$/i.test(template.path)
  const prefix = template.kind === 'serverless' ? 'resources.Resources' : 'Resources'
  const lines = [
    '# Template changes before the import',
    '',
    `CloudFormation imports a table only into a resource that has a DeletionPolicy, and the resource should describe the live table exactly: otherwise the next deploy changes the table, or replaces it. Make these edits in \`${template.path}\`, then run \`commands.sh\` (CloudFormation) or apply \`import.tf\` (Terraform, with the same edits to the \`aws_dynamodb_table\` resource).`,
    ''
  ]
  for (const t of tables) {
    const changes = t.templateChanges ?? []
    lines.push(`## \`${t.table}\`: \`${prefix}.${t.iacLogicalId}\``, '')
    if (!changes.length) lines.push('No change needed: the template already describes the live table and has a DeletionPolicy.', '')
    for (const c of changes) lines.push(...changeLines(c, json), '')
    if (t.notes.length) lines.push(...t.notes.map((n) => `- ${n}`), '')
  }
  if (template.kind === 'serverless') {
    lines.push(
      '## Serverless Framework',
      '',
      `The stack is the one Serverless generates${template.stackName ? ` (\`${template.stackName}\`)` : ''}. \`serverless package\` writes its template to \`.serverless/cloudformation-template-update-stack.json\`, but it also moves the functions' code, which an import refuses; so \`commands.sh\` imports with the deployed template plus the tables (\`table-resources.json\`). After the import, \`serverless deploy\` with the edited \`serverless.yml\` leaves the tables as they are.`,
      ''
    )
  }
  return lines.join('\n')
}

function changeLines(c: TemplateChange, json: boolean): string[] {
  const key = c.path.replace(/^Properties\./, '')
  const text = (value: unknown) => (json ? JSON.stringify({ [key]: value }, null, 2) : stringify({ [key]: value }).trimEnd())
  const snippet = (value: unknown) => ['```' + (json ? 'json' : 'yaml'), ...text(value).split('\n'), '```']
  const out = [`- **\`${c.path}\`**: ${c.difference}.`]
  if (c.remove) out.push(`  Remove it: the live table does not have it.`)
  else out.push('  Set it to the live value:', '', ...snippet(c.value).map((l) => `  ${l}`))
  if (c.restore === 'in-place' && c.template !== undefined) out.push('', `  After the import, a deploy with the template's original value updates the table in place.`)
  if (c.restore === 'replacement') out.push('', `  CloudFormation cannot change this without replacing the table: keep the live value.`)
  return out
}
