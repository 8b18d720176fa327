import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEFAULT_CHAIN_IDENTITY, resolveCredentials, sanitizeSessionName } from '../../src/aws/oidc.js'
import type { ActionSettings } from '../../src/config/inputs.js'
import { MigrationError } from '../../src/errors.js'

// The real @actions/core (getIDToken, setSecret, info) and the real STSClient, over HTTP, against
// two stand-ins started here: the Actions runtime's token endpoint and an STS that answers the XML
// STS sends. Nothing of the SDK or the toolkit is mocked; only the retry sleep is injected.

const ROLE_ARN = 'arn:aws:iam::123456789012:role/dynamodb-migrate'
const SUB = 'repo:acme/shop:environment:production'
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'

interface Recorded {
  method?: string
  url: URL
  headers: IncomingHttpHeaders
  form: Record<string, string>
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url')
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A made-up, unsigned-looking GitHub OIDC token carrying the claims the action reads. */
function makeJwt(audience: string): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'test-key' }
  const payload = {
    iss: 'https://token.actions.githubusercontent.com',
    aud: audience,
    sub: SUB,
    environment: 'production',
    repository: 'acme/shop',
    ref: 'refs/heads/main',
    event_name: 'workflow_dispatch',
    job_workflow_ref: 'acme/shop/.github/workflows/migrate.yml@refs/heads/main',
    nonce: random(12)
  }
  return `${b64url(header)}.${b64url(payload)}.${random(64)}`
}

// ---- the Actions runtime's token endpoint -------------------------------------------------
const requestToken = `runtime-${random(24)}`
const tokenRequests: Recorded[] = []
let issuedToken = ''
const tokenServer: Server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  tokenRequests.push({ method: req.method, url, headers: req.headers, form: {} })
  if (req.headers.authorization !== `Bearer ${requestToken}`) {
    res.writeHead(401).end()
    return
  }
  issuedToken = makeJwt(url.searchParams.get('audience') ?? 'https://github.com/acme')
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value: issuedToken }))
})

// ---- the STS stand-in ----------------------------------------------------------------------
interface Issued {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
}
type Answer = { status: number; body: string }
const stsRequests: Recorded[] = []
let stsScript: Answer[] = []
let issued: Issued

function stsOk(form: Record<string, string>): Answer {
  issued = { accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: random(30), sessionToken: `IQoJb3JpZ2luX2Vj${random(180)}` }
  const session = form.RoleSessionName ?? ''
  const body = `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NS}">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${SUB}</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/dynamodb-migrate/${session}</Arn>
      <AssumedRoleId>AROA3XFRBF535EXAMPLE:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <Expiration>2030-01-01T01:00:00Z</Expiration>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`
  return { status: 200, body }
}

function stsError(status: number, code: string, message: string): Answer {
  const type = status >= 500 ? 'Receiver' : 'Sender'
  const body = `<ErrorResponse xmlns="${STS_NS}">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>${randomBytes(16).toString('hex')}</RequestId>
</ErrorResponse>`
  return { status, body }
}

const stsServer: Server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
    stsRequests.push({ method: req.method, url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, form })
    const answer = stsScript.shift() ?? stsOk(form)
    res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomBytes(16).toString('hex') }).end(answer.body)
  })
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

let tokenUrl = ''
let stsUrl = ''
const savedEnv = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN }

beforeAll(async () => {
  tokenUrl = `${await listen(tokenServer)}/_apis/distributedtask/hubs/build/plans/p/jobs/j/idtoken?api-version=2.0`
  stsUrl = await listen(stsServer)
})
afterAll(async () => {
  for (const server of [tokenServer, stsServer]) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  restoreEnv('ACTIONS_ID_TOKEN_REQUEST_URL', savedEnv.url)
  restoreEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', savedEnv.token)
})
beforeEach(() => {
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = tokenUrl
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = requestToken
  tokenRequests.length = 0
  stsRequests.length = 0
  stsScript = []
  issuedToken = ''
})
afterEach(() => {
  stsScript = []
})

function restoreEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

function settings(overrides: Partial<ActionSettings['aws']> = {}): ActionSettings['aws'] {
  return {
    region: 'eu-west-1',
    roleToAssume: ROLE_ARN,
    roleSessionName: 'dynamodb-migrate-4242',
    audience: 'sts.amazonaws.com',
    stsEndpointUrl: stsUrl,
    maxRetries: 5,
    ...overrides
  }
}

/** Everything written to stdout/stderr while `fn` runs (that is the job log: core.info, ::add-mask::, ...). */
async function capture<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; lines: string[] }> {
  const written: string[] = []
  const out = process.stdout.write
  const err = process.stderr.write
  const grab = (chunk: unknown) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return true
  }
  process.stdout.write = grab as typeof process.stdout.write
  process.stderr.write = grab as typeof process.stderr.write
  try {
    return { value: await fn(), lines: written.join('').split(/\r?\n/) }
  } catch (error) {
    return { error, lines: written.join('').split(/\r?\n/) }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

/** Each secret was masked with ::add-mask::, and appears in no other line of the log. */
function expectMaskedAndNeverShown(lines: string[], masked: string[], neverShown: string[] = []) {
  for (const secret of masked) expect(lines).toContain(`::add-mask::${secret}`)
  const visible = lines.filter((l) => !l.startsWith('::add-mask::'))
  for (const secret of [...masked, ...neverShown]) {
    expect(secret.length).toBeGreaterThan(8)
    expect(visible.filter((l) => l.includes(secret))).toEqual([])
  }
}

const noSleep = { sleeps: [] as number[], sleep: async (ms: number) => void noSleep.sleeps.push(ms) }
beforeEach(() => {
  noSleep.sleeps = []
})

describe('resolveCredentials with role-to-assume (GitHub OIDC)', () => {
  it('assumes the role with the OIDC token and gives back the STS credentials', async () => {
    const { value, error, lines } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(error).toBeUndefined()

    // The token request the Actions runtime sees.
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0]?.method).toBe('GET')
    expect(tokenRequests[0]?.url.searchParams.get('audience')).toBe('sts.amazonaws.com')
    expect(tokenRequests[0]?.url.searchParams.get('api-version')).toBe('2.0')
    expect(tokenRequests[0]?.headers.authorization).toBe(`Bearer ${requestToken}`)

    // The STS request: form-encoded query protocol, unsigned (the token is the proof).
    expect(stsRequests).toHaveLength(1)
    const sts = stsRequests[0]!
    expect(sts.method).toBe('POST')
    expect(sts.headers['content-type']).toContain('application/x-www-form-urlencoded')
    expect(sts.headers.authorization).toBeUndefined()
    expect(sts.form).toEqual({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: ROLE_ARN,
      RoleSessionName: 'dynamodb-migrate-4242',
      WebIdentityToken: issuedToken,
      DurationSeconds: '3600'
    })

    expect(value?.credentials).toEqual({
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiration: new Date('2030-01-01T01:00:00Z')
    })
    expect(value?.identity).toBe('arn:aws:sts::123456789012:assumed-role/dynamodb-migrate/dynamodb-migrate-4242')
    expect(value?.oidcClaims).toMatchObject({ sub: SUB, environment: 'production', repository: 'acme/shop', event_name: 'workflow_dispatch' })

    // The log: every secret masked as it appears, none printed; only the role and session said.
    expectMaskedAndNeverShown(lines, [issuedToken, issued.accessKeyId, issued.secretAccessKey, issued.sessionToken], [requestToken])
    expect(lines).toContain(`Assumed role ${ROLE_ARN} with GitHub OIDC (session dynamodb-migrate-4242).`)
  })

  it('sends a custom audience to the token endpoint and a session name STS accepts', async () => {
    const { error } = await capture(() =>
      resolveCredentials(settings({ audience: 'https://github.com/acme', roleSessionName: 'migrate qa/orders #12' }), { sleep: noSleep.sleep })
    )
    expect(error).toBeUndefined()
    expect(tokenRequests[0]?.url.searchParams.get('audience')).toBe('https://github.com/acme')
    expect(stsRequests[0]?.form.RoleSessionName).toBe('migrate-qa-orders--12')
  })

  it('says the job needs id-token: write, and how to add it, when the runtime gives no token', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    const { error } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('CREDENTIALS_FAILED')
    const message = (error as Error).message
    expect(message).toMatch(new RegExp(`^Could not assume role ${ROLE_ARN} with OIDC: `))
    expect(message).toContain('`id-token: write`')
    expect(message).toMatch(/\n {2}permissions:\n {4}id-token: write/)
    expect(tokenRequests).toHaveLength(0)
    expect(stsRequests).toHaveLength(0)
  })

  it('retries a 500 and a throttling answer from STS, then succeeds', async () => {
    stsScript = [stsError(500, 'InternalFailure', 'An internal error occurred.'), stsError(400, 'Throttling', 'Rate exceeded')]
    const { value, error, lines } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(error).toBeUndefined()
    expect(stsRequests).toHaveLength(3)
    expect(noSleep.sleeps).toHaveLength(2)
    expect(stsRequests.every((r) => r.form.WebIdentityToken === issuedToken)).toBe(true)
    expect(value?.credentials?.accessKeyId).toBe(issued.accessKeyId)
    expectMaskedAndNeverShown(lines, [issuedToken, issued.accessKeyId, issued.secretAccessKey, issued.sessionToken], [requestToken])
  })

  it("retries STS's transient identity-provider errors, as configure-aws-credentials does", async () => {
    stsScript = [
      stsError(400, 'IDPCommunicationError', 'The request could not be fulfilled because the identity provider could not be reached.'),
      stsError(400, 'InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
    ]
    const { error } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(error).toBeUndefined()
    expect(stsRequests).toHaveLength(3)
  })

  it('does not retry AccessDenied and says which role, why, and what to check', async () => {
    stsScript = [stsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')]
    const { error, lines } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(stsRequests).toHaveLength(1)
    expect(noSleep.sleeps).toEqual([])
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('CREDENTIALS_FAILED')
    expect((error as Error).message).toBe(
      `Could not assume role ${ROLE_ARN} with OIDC: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity ` +
        `Check the role's trust policy: it must trust token.actions.githubusercontent.com for aud "sts.amazonaws.com" and sub "${SUB}".`
    )
    expect((error as Error).message).not.toContain(issuedToken)
    expectMaskedAndNeverShown(lines, [issuedToken], [requestToken])
  })

  it('does not retry an invalid token that is not a verification-key failure', async () => {
    stsScript = [stsError(400, 'InvalidIdentityToken', 'Incorrect token audience')]
    const { error } = await capture(() => resolveCredentials(settings(), { sleep: noSleep.sleep }))
    expect(stsRequests).toHaveLength(1)
    expect((error as Error).message).toBe(`Could not assume role ${ROLE_ARN} with OIDC: InvalidIdentityTokenException: Incorrect token audience`)
  })

  it('gives up after max-retries transient failures', async () => {
    stsScript = [stsError(503, 'ServiceUnavailable', 'Service unavailable'), stsError(503, 'ServiceUnavailable', 'Service unavailable')]
    const { error } = await capture(() => resolveCredentials(settings({ maxRetries: 2 }), { sleep: noSleep.sleep }))
    expect(stsRequests).toHaveLength(2)
    expect((error as MigrationError).code).toBe('CREDENTIALS_FAILED')
    expect((error as Error).message).toMatch(new RegExp(`^Could not assume role ${ROLE_ARN} with OIDC: ServiceUnavailable`))
  })
})

describe('resolveCredentials without role-to-assume', () => {
  it('leaves credentials to the default chain and calls nothing', async () => {
    const { value, error } = await capture(() => resolveCredentials(settings({ roleToAssume: undefined }), { sleep: noSleep.sleep }))
    expect(error).toBeUndefined()
    expect(value).toEqual({ identity: DEFAULT_CHAIN_IDENTITY })
    expect(tokenRequests).toHaveLength(0)
    expect(stsRequests).toHaveLength(0)
  })
})

describe('sanitizeSessionName', () => {
  it('keeps the characters STS allows', () => {
    expect(sanitizeSessionName('dynamodb-migrate_1+2=3,4.5@6')).toBe('dynamodb-migrate_1+2=3,4.5@6')
  })
  it('replaces every other character', () => {
    expect(sanitizeSessionName('migrate qa/orders #12')).toBe('migrate-qa-orders--12')
    expect(sanitizeSessionName('déploiement:prod')).toBe('d-ploiement-prod')
  })
  it('cuts at 64 characters', () => {
    expect(sanitizeSessionName('x'.repeat(100))).toBe('x'.repeat(64))
  })
  it('falls back when too short for STS', () => {
    expect(sanitizeSessionName('')).toBe('dynamodb-migrate')
    expect(sanitizeSessionName('a')).toBe('dynamodb-migrate')
  })
})
