import * as core from '@actions/core'
import { AssumeRoleWithWebIdentityCommand, STSClient, type AssumeRoleWithWebIdentityCommandOutput } from '@aws-sdk/client-sts'
import type { AwsCredentialIdentity } from '@aws-sdk/types'
import type { ActionSettings } from '../config/inputs.js'
import { isRetryable, withRetry, type RetryPolicy } from '../dynamo/retry.js'
import { MigrationError, errorMessage } from '../errors.js'

/** What the AWS clients authenticate with, and who that is. Nothing here is ever logged whole. */
export interface ResolvedCredentials {
  /** Temporary credentials of the assumed role; undefined: the SDK's default credential chain. */
  credentials?: AwsCredentialIdentity
  /** Who the action acts as, for logs and the summary (an ARN, never a secret). */
  identity: string
  /** The GitHub OIDC token's claims (sub, environment, repository, ref, event_name, job_workflow_ref, ...). */
  oidcClaims?: Record<string, unknown>
}

/** Side-effect edges, replaceable in tests. STS itself is always the real client over HTTP. */
export interface OidcDeps {
  /** Fetches the GitHub OIDC token for an audience; default `core.getIDToken`. */
  getIDToken?: (audience: string) => Promise<string>
  /** Waits between STS retries; default a timer. */
  sleep?: (ms: number) => Promise<void>
  /** Where the Actions runtime variables are read; default `process.env`. */
  env?: NodeJS.ProcessEnv
}

export const DEFAULT_CHAIN_IDENTITY = 'the default AWS credential chain'
const SESSION_SECONDS = 3600
const SESSION_NAME_FALLBACK = 'dynamodb-migrate'

const MISSING_PERMISSION = [
  'this job may not request a GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set).',
  'Give the job the `id-token: write` permission, at the top of the workflow or under the job:',
  '',
  '  permissions:',
  '    id-token: write   # lets role-to-assume request the OIDC token',
  '    contents: read',
  '',
  'A permissions block replaces the defaults: list anything else the job needs too (e.g. pull-requests: write for the PR comment).',
  'Pull requests from forks never get this permission.'
].join('\n')

/**
 * Credentials for every AWS client. With `role-to-assume`: GitHub OIDC token → STS
 * AssumeRoleWithWebIdentity, every secret masked the moment it appears. Without: undefined, so
 * the SDK uses its default chain (environment variables from configure-aws-credentials, profile,
 * instance role).
 */
export async function resolveCredentials(aws: ActionSettings['aws'], deps: OidcDeps = {}): Promise<ResolvedCredentials> {
  const roleArn = aws.roleToAssume
  if (!roleArn) {
    core.info(`No role-to-assume: using ${DEFAULT_CHAIN_IDENTITY}.`)
    return { identity: DEFAULT_CHAIN_IDENTITY }
  }
  const env = deps.env ?? process.env
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) throw failure(roleArn, MISSING_PERMISSION)

  let token: string
  try {
    token = await (deps.getIDToken ?? core.getIDToken)(aws.audience)
  } catch (error) {
    throw failure(roleArn, `the GitHub OIDC token could not be fetched: ${errorMessage(error)}`)
  }
  core.setSecret(token)
  const claims = decodeClaims(token, roleArn)
  const sessionName = sanitizeSessionName(aws.roleSessionName)

  // Unsigned call (the token is the proof): the STS client needs no credentials of its own.
  // Its own retries are off: withRetry below is the one retry budget.
  const sts = new STSClient({ region: aws.region, endpoint: aws.stsEndpointUrl, maxAttempts: 1, requestHandler: { requestTimeout: 30_000 } })
  const policy: RetryPolicy = { maxAttempts: aws.maxRetries, baseDelayMs: 100, maxDelayMs: 5_000 }
  let out: AssumeRoleWithWebIdentityCommandOutput
  try {
    out = await withRetry(
      () => assume(sts, { RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: token, DurationSeconds: SESSION_SECONDS }),
      policy,
      { sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))), random: Math.random }
    )
  } catch (error) {
    throw failure(roleArn, describeStsError(error, claims, aws.audience), error)
  } finally {
    sts.destroy()
  }

  const c = out.Credentials
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw failure(roleArn, 'STS answered without credentials.')
  core.setSecret(c.AccessKeyId)
  core.setSecret(c.SecretAccessKey)
  core.setSecret(c.SessionToken)
  core.info(`Assumed role ${roleArn} with GitHub OIDC (session ${sessionName}).`)
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
    identity: out.AssumedRoleUser?.Arn ?? roleArn,
    oidcClaims: claims
  }
}

/** STS's RoleSessionName rules: characters [\w+=,.@-], 2 to 64 of them. */
export function sanitizeSessionName(name: string): string {
  const clean = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64)
  return clean.length >= 2 ? clean : SESSION_NAME_FALLBACK
}

/** One attempt. STS's transient identity-provider errors are marked retryable, as configure-aws-credentials treats them. */
async function assume(sts: STSClient, input: ConstructorParameters<typeof AssumeRoleWithWebIdentityCommand>[0]) {
  try {
    return await sts.send(new AssumeRoleWithWebIdentityCommand(input))
  } catch (error) {
    if (isTransientIdpError(error)) Object.assign(error as object, { $retryable: { throttling: false } })
    if (isRetryable(error)) core.info(`STS AssumeRoleWithWebIdentity: ${errorName(error)}; retrying if attempts remain.`)
    throw error
  }
}

function isTransientIdpError(error: unknown): boolean {
  const name = errorName(error)
  if (name === 'IDPCommunicationErrorException' || name === 'IDPCommunicationError') return true
  const invalidToken = name === 'InvalidIdentityTokenException' || name === 'InvalidIdentityToken'
  return invalidToken && /Couldn't retrieve verification key/i.test(errorMessage(error))
}

/** The JWT's payload, unverified: it is our own token, fetched from the runner a moment ago. */
function decodeClaims(token: string, roleArn: string): Record<string, unknown> {
  const payload = token.split('.')[1]
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
    if (typeof claims === 'object' && claims !== null && !Array.isArray(claims)) return claims as Record<string, unknown>
  } catch {
    /* reported below */
  }
  throw failure(roleArn, 'the GitHub OIDC token is not a JWT with a JSON payload.')
}

function describeStsError(error: unknown, claims: Record<string, unknown>, audience: string): string {
  const name = errorName(error)
  const text = name && name !== 'Error' ? `${name}: ${errorMessage(error)}` : errorMessage(error)
  if (name !== 'AccessDenied' && name !== 'AccessDeniedException') return text
  const sub = typeof claims.sub === 'string' ? claims.sub : '?'
  return `${text} Check the role's trust policy: it must trust token.actions.githubusercontent.com for aud "${audience}" and sub "${sub}".`
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined
}

function failure(roleArn: string, reason: string, cause?: unknown): MigrationError {
  const name = errorName(cause)
  return new MigrationError('CREDENTIALS_FAILED', `Could not assume role ${roleArn} with OIDC: ${reason}`, name ? { awsError: name } : undefined)
}
