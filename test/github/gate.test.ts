// The delete gate, every branch, through the real Octokit client against a local REST stand-in.
import { checkDeleteGate, environmentClaimFromIdToken, type DeleteGateOptions } from '../../src/github/gate.js'
import { startGitHubApi, type GitHubApiStandIn } from './github-api.js'

let api: GitHubApiStandIn
const reviewers = { id: 1, node_id: 'GA_1', type: 'required_reviewers', prevent_self_review: true, reviewers: [{ type: 'User', reviewer: { login: 'lead' } }] }

beforeAll(async () => {
  api = await startGitHubApi()
  api.environments.push(
    { name: 'Production', protection_rules: [{ id: 2, node_id: 'GA_2', type: 'wait_timer', wait_timer: 5 }, reviewers] },
    { name: 'prod/eu', protection_rules: [reviewers] },
    { name: 'unguarded', protection_rules: [{ id: 3, node_id: 'GA_3', type: 'branch_policy' }] },
    { name: 'empty-reviewers', protection_rules: [{ ...reviewers, reviewers: [] }] }
  )
})
afterAll(async () => {
  await api.close()
})
afterEach(() => {
  api.environmentStatus = undefined
})

const gate = (over: Partial<DeleteGateOptions>) =>
  checkDeleteGate({ eventName: 'workflow_dispatch', protectedEnvironments: ['production', 'prod/eu', 'unguarded', 'empty-reviewers', 'missing'], token: 'ghs_gate', owner: 'octo', repo: 'shop', apiUrl: api.origin, ...over })

async function callsDuring<T>(fn: () => Promise<T>): Promise<[T, string[]]> {
  const before = api.requests.length
  const result = await fn()
  return [result, api.calls().slice(before)]
}

describe('delete gate', () => {
  it('lets an unprotected environment through without calling GitHub', async () => {
    const [refusals, calls] = await callsDuring(() => gate({ environment: 'staging', oidcEnvironmentClaim: 'staging' }))
    expect(refusals).toEqual([])
    expect(calls).toEqual([])
    expect(await gate({})).toEqual([])
  })

  it.each(['pull_request', 'pull_request_target', 'pull_request_review'])('refuses on %s events', async (eventName) => {
    const refusals = await gate({ eventName, environment: 'staging' })
    expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringMatching(new RegExp(`^Delete never runs on ${eventName} events.*workflow_dispatch`)) }])
  })

  it('lets a protected environment through when the claim matches and reviewers are required', async () => {
    const [refusals, calls] = await callsDuring(() => gate({ environment: 'production', oidcEnvironmentClaim: 'Production' }))
    expect(refusals).toEqual([])
    expect(calls).toEqual(['GET /repos/octo/shop/environments/production'])
    expect(api.requests.at(-1)!.headers.authorization).toBe('token ghs_gate')
  })

  it('encodes environment names that hold a slash', async () => {
    const [refusals, calls] = await callsDuring(() => gate({ environment: 'prod/eu', oidcEnvironmentClaim: 'prod/eu' }))
    expect(refusals).toEqual([])
    expect(calls).toEqual(['GET /repos/octo/shop/environments/prod%2Feu'])
  })

  it('checks the environment named by the OIDC claim when none is given', async () => {
    expect(await gate({ oidcEnvironmentClaim: 'production' })).toEqual([])
    expect(await gate({ oidcEnvironmentClaim: 'unguarded' })).toEqual([expect.objectContaining({ message: expect.stringContaining('no required reviewers') })])
  })

  it('refuses a protected environment when the OIDC token has no environment claim', async () => {
    const refusals = await gate({ environment: 'production' })
    expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('`environment: production`') }])
    expect(refusals[0]!.message).toContain('role-to-assume')
  })

  it('refuses when the OIDC claim names another environment', async () => {
    const refusals = await gate({ environment: 'production', oidcEnvironmentClaim: 'staging' })
    expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('is for environment "staging"') }])
  })

  it('refuses an environment without required reviewers, naming Settings → Environments', async () => {
    for (const environment of ['unguarded', 'empty-reviewers']) {
      const refusals = await gate({ environment, oidcEnvironmentClaim: environment })
      expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining(`add required reviewers in Settings → Environments → ${environment}`) }])
    }
  })

  it('refuses an environment that does not exist', async () => {
    const refusals = await gate({ environment: 'missing', oidcEnvironmentClaim: 'missing' })
    expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('does not exist in octo/shop: create it in Settings → Environments') }])
  })

  it('refuses when the token may not read the environment, naming the permission', async () => {
    for (const status of [401, 403]) {
      api.environmentStatus = status
      const refusals = await gate({ environment: 'production', oidcEnvironmentClaim: 'production' })
      expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('permissions: actions: read') }])
    }
  })

  it('fails closed when GitHub cannot be asked', async () => {
    api.environmentStatus = 500
    expect(await gate({ environment: 'production', oidcEnvironmentClaim: 'production' })).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('nothing was deleted') }])
    expect(await gate({ environment: 'production', oidcEnvironmentClaim: 'production', apiUrl: 'http://127.0.0.1:1' })).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('Could not confirm') }])
  })

  it('refuses without a token, calling nothing', async () => {
    const [refusals, calls] = await callsDuring(() => gate({ environment: 'production', oidcEnvironmentClaim: 'production', token: '' }))
    expect(refusals).toEqual([{ code: 'DELETE_REFUSED', message: expect.stringContaining('set github-token') }])
    expect(calls).toEqual([])
  })

  it('lists every reason at once', async () => {
    const refusals = await gate({ eventName: 'pull_request', environment: 'unguarded' })
    expect(refusals.map((r) => r.code)).toEqual(['DELETE_REFUSED', 'DELETE_REFUSED', 'DELETE_REFUSED'])
    expect(refusals.map((r) => r.message.slice(0, 30))).toEqual(['Delete never runs on pull_requ', 'Environment "unguarded" is pro', 'Environment "unguarded" of oct'])
  })

  it('reads the environment claim of an OIDC token', () => {
    const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`
    expect(environmentClaimFromIdToken(jwt({ sub: 'repo:octo/shop:environment:production', environment: 'production' }))).toBe('production')
    expect(environmentClaimFromIdToken(jwt({ sub: 'repo:octo/shop:ref:refs/heads/main' }))).toBeUndefined()
    expect(environmentClaimFromIdToken('not a token')).toBeUndefined()
  })
})
