import { describe, expect, it } from '@jest/globals'
import { readSettings } from '../../src/config/inputs.js'
import { Inputs, MODES } from '../../src/constants.js'
import { MigrationError } from '../../src/errors.js'

const MIGRATIONS = 'orders -> orders-v2'

/** A getter over a map, as core.getInput would answer: '' for anything not given. */
function inputs(values: Partial<Record<Inputs, string>>): (name: Inputs) => string {
  return (name) => values[name] ?? ''
}

const ENV: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' }

function settings(values: Partial<Record<Inputs, string>>, env: NodeJS.ProcessEnv = ENV) {
  return readSettings(inputs({ [Inputs.Migrations]: MIGRATIONS, ...values }), env)
}

function failure(values: Partial<Record<Inputs, string>>, env: NodeJS.ProcessEnv = ENV): MigrationError {
  try {
    settings(values, env)
  } catch (error) {
    if (error instanceof MigrationError) return error
    throw error
  }
  throw new Error('expected a MigrationError')
}

describe('readSettings', () => {
  it('applies every default', () => {
    const s = settings({})
    expect(s.mode).toBe('plan')
    expect(s.pairs).toEqual([{ source: 'orders', target: 'orders-v2' }])
    expect(s.engine).toEqual({
      createTarget: 'if-missing',
      allowNonEmptyTarget: false,
      scanSegments: 4,
      consistentRead: false,
      writeConcurrency: 8,
      maxWriteRate: 0,
      tableConcurrency: 2,
      backupDir: 'dynamodb-backups',
      region: 'eu-west-1',
      confirmDelete: [],
      disableDeletionProtection: false,
      awsBackupBeforeDelete: false
    })
    expect(s.aws).toEqual({
      region: 'eu-west-1',
      roleToAssume: undefined,
      roleSessionName: 'dynamodb-migrate-local',
      audience: 'sts.amazonaws.com',
      endpointUrl: undefined,
      stsEndpointUrl: undefined,
      maxRetries: 12
    })
    expect(s.uploadArtifact).toBe(true)
    expect(s.artifactRetentionDays).toBeUndefined()
    expect(s.backup).toBeUndefined()
    expect(s.protectedEnvironments).toEqual(['prod', 'production'])
    expect(s.environment).toBeUndefined()
    expect(s.githubToken).toBeUndefined()
    expect(s.commentOnPr).toBe(true)
  })

  it('reads every input when given', () => {
    const s = settings({
      [Inputs.Mode]: 'migrate',
      [Inputs.AwsRegion]: 'us-west-2',
      [Inputs.RoleToAssume]: 'arn:aws:iam::123456789012:role/migrate',
      [Inputs.RoleSessionName]: 'my-session',
      [Inputs.Audience]: 'custom-aud',
      [Inputs.EndpointUrl]: 'http://127.0.0.1:8000',
      [Inputs.StsEndpointUrl]: 'https://sts.example.com',
      [Inputs.CreateTarget]: 'never',
      [Inputs.AllowNonEmptyTarget]: 'true',
      [Inputs.ScanSegments]: '16',
      [Inputs.ConsistentRead]: 'TRUE',
      [Inputs.WriteConcurrency]: '32',
      [Inputs.MaxWriteRate]: '500',
      [Inputs.TableConcurrency]: '4',
      [Inputs.MaxRetries]: '5',
      [Inputs.BackupDir]: 'out/backups',
      [Inputs.UploadArtifact]: 'false',
      [Inputs.ArtifactRetentionDays]: '7',
      [Inputs.Backup]: '12345/dynamodb-backup-orders',
      [Inputs.ConfirmDelete]: 'orders\nusers, carts',
      [Inputs.DisableDeletionProtection]: 'True',
      [Inputs.AwsBackupBeforeDelete]: 'true',
      [Inputs.ProtectedEnvironments]: 'live, prod-eu',
      [Inputs.Environment]: 'qa',
      [Inputs.GithubToken]: 'ghs_example',
      [Inputs.CommentOnPr]: 'False'
    })
    expect(s.mode).toBe('migrate')
    expect(s.engine).toMatchObject({
      createTarget: 'never',
      allowNonEmptyTarget: true,
      scanSegments: 16,
      consistentRead: true,
      writeConcurrency: 32,
      maxWriteRate: 500,
      tableConcurrency: 4,
      backupDir: 'out/backups',
      region: 'us-west-2',
      confirmDelete: ['orders', 'users', 'carts'],
      disableDeletionProtection: true,
      awsBackupBeforeDelete: true
    })
    expect(s.aws).toEqual({
      region: 'us-west-2',
      roleToAssume: 'arn:aws:iam::123456789012:role/migrate',
      roleSessionName: 'my-session',
      audience: 'custom-aud',
      endpointUrl: 'http://127.0.0.1:8000',
      stsEndpointUrl: 'https://sts.example.com',
      maxRetries: 5
    })
    expect(s.uploadArtifact).toBe(false)
    expect(s.artifactRetentionDays).toBe(7)
    expect(s.backup).toBe('12345/dynamodb-backup-orders')
    expect(s.protectedEnvironments).toEqual(['live', 'prod-eu'])
    expect(s.environment).toBe('qa')
    expect(s.githubToken).toBe('ghs_example')
    expect(s.commentOnPr).toBe(false)
  })

  it('accepts mode drift with its naming convention and stage, and no migrations', () => {
    const drift = settings({ [Inputs.Mode]: 'drift', [Inputs.Migrations]: '', [Inputs.NamingConvention]: '${stage}-${name}', [Inputs.Stage]: 'qa' })
    expect(drift.mode).toBe('drift')
    expect(drift.pairs).toEqual([])
    expect(drift.drift).toMatchObject({ namingConvention: '${stage}-${name}', stage: 'qa', managedTables: [] })
  })

  it.each(MODES.filter((m) => m !== 'drift'))('accepts mode %s', (mode) => {
    expect(settings({ [Inputs.Mode]: mode }).mode).toBe(mode)
  })

  it('names the session after the workflow run', () => {
    expect(settings({}, { ...ENV, GITHUB_RUN_ID: '987654' }).aws.roleSessionName).toBe('dynamodb-migrate-987654')
  })

  it('accepts the bounds of whole-number inputs', () => {
    const s = settings({ [Inputs.ScanSegments]: '1', [Inputs.WriteConcurrency]: '256', [Inputs.MaxWriteRate]: '0', [Inputs.ArtifactRetentionDays]: '90' })
    expect(s.engine.scanSegments).toBe(1)
    expect(s.engine.writeConcurrency).toBe(256)
    expect(s.engine.maxWriteRate).toBe(0)
    expect(s.artifactRetentionDays).toBe(90)
  })

  describe('region', () => {
    it('prefers the aws-region input', () => {
      expect(settings({ [Inputs.AwsRegion]: 'ap-south-1' }, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-2' }).aws.region).toBe('ap-south-1')
    })

    it('falls back to AWS_REGION, then AWS_DEFAULT_REGION', () => {
      expect(settings({}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-2' }).aws.region).toBe('eu-west-1')
      expect(settings({}, { AWS_DEFAULT_REGION: 'us-east-2' }).aws.region).toBe('us-east-2')
    })

    it('is required', () => {
      const error = failure({}, {})
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toContain('"aws-region"')
      expect(error.message).toContain('AWS_REGION')
    })
  })

  describe('invalid values', () => {
    const cases: Array<[Inputs, string, string]> = [
      [Inputs.Mode, 'deploy', `expected one of ${MODES.join(', ')}`],
      [Inputs.Mode, 'PLAN', `expected one of ${MODES.join(', ')}`],
      [Inputs.CreateTarget, 'always', 'expected one of if-missing, never'],
      [Inputs.AllowNonEmptyTarget, 'yes', 'expected true or false'],
      [Inputs.ConsistentRead, '1', 'expected true or false'],
      [Inputs.UploadArtifact, 'tRuE', 'expected true or false'],
      [Inputs.DisableDeletionProtection, 'on', 'expected true or false'],
      [Inputs.AwsBackupBeforeDelete, 'no', 'expected true or false'],
      [Inputs.CommentOnPr, 'off', 'expected true or false'],
      [Inputs.ScanSegments, '0', 'expected a whole number from 1 to 1000000'],
      [Inputs.ScanSegments, 'four', 'expected a whole number from 1 to 1000000'],
      [Inputs.WriteConcurrency, '257', 'expected a whole number from 1 to 256'],
      [Inputs.WriteConcurrency, '2.5', 'expected a whole number from 1 to 256'],
      [Inputs.MaxWriteRate, '-1', 'expected a whole number from 0 to 10000000'],
      [Inputs.TableConcurrency, '33', 'expected a whole number from 1 to 32'],
      [Inputs.MaxRetries, '0', 'expected a whole number from 1 to 100'],
      [Inputs.MaxRetries, '1e2', 'expected a whole number from 1 to 100'],
      [Inputs.ArtifactRetentionDays, '91', 'expected a whole number from 1 to 90'],
      [Inputs.EndpointUrl, 'localhost:8000', 'expected an http(s) URL'],
      [Inputs.EndpointUrl, 'ftp://example.com', 'expected an http(s) URL'],
      [Inputs.StsEndpointUrl, 'not a url', 'expected an http(s) URL']
    ]

    it.each(cases)('rejects %s = %p with one INVALID_INPUT error naming it and the accepted values', (name, value, accepted) => {
      const error = failure({ [name]: value })
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toBe(`Input "${name}": got "${value}"; ${accepted}.`)
    })

    it('reports only the first of several invalid values', () => {
      const error = failure({ [Inputs.Mode]: 'deploy', [Inputs.ScanSegments]: '0' })
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toContain('"mode"')
      expect(error.message).not.toContain('scan-segments')
    })

    it('checks inputs before the region', () => {
      expect(failure({ [Inputs.Mode]: 'deploy' }, {}).message).toContain('"mode"')
    })

    it('rejects bad migrations with INVALID_INPUT', () => {
      const error = failure({ [Inputs.Migrations]: 'orders => orders-v2' })
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toContain('"migrations"')
      expect(failure({ [Inputs.Migrations]: '' }).message).toContain('"migrations" is empty')
    })
  })
})
