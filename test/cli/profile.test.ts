import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { createTable, dropTable, dynaliteEndpoint, localClient, orderTrackingSchema, tempDir, uniqueName } from '../helpers/dynamo.js'
import { runCli } from './run-cli.js'

const client = localClient()
let dir: string
let configFile: string
let credentialsFile: string
const table = uniqueName('order-tracking-qa')

/** No keys and no region in the environment: everything has to come from the profile. */
const fromFilesOnly = () => ({
  AWS_CONFIG_FILE: configFile,
  AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined
})

beforeAll(async () => {
  dir = await tempDir('cli-profile-')
  configFile = path.join(dir, 'config')
  credentialsFile = path.join(dir, 'credentials')
  await fs.writeFile(configFile, '[default]\nregion = us-west-1\n\n[profile team]\nregion = eu-west-2\n')
  await fs.writeFile(credentialsFile, '[team]\naws_access_key_id = team-key\naws_secret_access_key = team-secret\n')
  await createTable(client, orderTrackingSchema(table))
})
afterAll(async () => {
  await dropTable(client, table)
  await fs.rm(dir, { recursive: true, force: true })
  client.destroy()
})

const plan = (...flags: string[]) => ['plan', '--endpoint-url', dynaliteEndpoint(), '--migrations', `${table} -> ${table}-new`, '--json', ...flags]

describe('credentials and region as the AWS CLI resolves them', () => {
  it('--profile takes the keys and the region of a named profile in the shared files', async () => {
    const run = await runCli(plan('--profile', 'team'), { env: fromFilesOnly() })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('plan: region eu-west-2 (from profile team), profile team')
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ status: 'planned' })
  })

  it('AWS_PROFILE works as --profile does, and --region wins over the profile\'s region', async () => {
    const run = await runCli(plan('--region', 'ap-south-1'), { env: { ...fromFilesOnly(), AWS_PROFILE: 'team' } })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('plan: region ap-south-1 (from --region), profile team')
  })

  it('refuses a profile that is in neither file, naming it (exit 2)', async () => {
    const run = await runCli(plan('--profile', 'no-such-profile'), { env: fromFilesOnly() })
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 2, error: { code: 'INVALID_INPUT' } })
    expect(run.stderr).toContain(`The profile "no-such-profile" is in neither ${configFile} nor ${credentialsFile}`)
  })

  it('says so when no credentials can be found at all (exit 1), and when no region is set (exit 2)', async () => {
    const noKeys = await runCli(plan('--region', 'us-east-1'), { env: { ...fromFilesOnly(), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') } })
    expect(noKeys.code).toBe(1)
    expect(noKeys.stderr).toContain('Could not load AWS credentials')
    const noRegion = await runCli(plan(), { env: { ...fromFilesOnly(), AWS_CONFIG_FILE: path.join(dir, 'none') } })
    expect(noRegion.code).toBe(2)
    expect(noRegion.stderr).toContain('No region: pass --region')
  })
})
