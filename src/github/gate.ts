import { getOctokit } from '@actions/github'
import type { Refusal } from '../engine/preflight.js'
import { errorMessage } from '../errors.js'
import { apiBaseUrl } from './comment.js'

export interface DeleteGateOptions {
  /** GITHUB_EVENT_NAME (github.context.eventName). */
  eventName: string
  /** The environment the delete is for; unset = the OIDC token's environment claim, if any. */
  environment?: string
  /** Environments that need an approved GitHub environment (compared case-insensitively, as GitHub does). */
  protectedEnvironments: string[]
  /** The `environment` claim of this job's OIDC token; absent when the job declares no environment. */
  oidcEnvironmentClaim?: string
  /** github-token; reading an environment needs `permissions: actions: read` on private repositories. */
  token: string
  owner: string
  repo: string
  /** REST API root; default GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string
}

const refuse = (message: string): Refusal => ({ code: 'DELETE_REFUSED', message })
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** The `environment` claim of a GitHub OIDC token (a JWT), read without verifying it: STS verifies it. */
export function environmentClaimFromIdToken(idToken: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { environment?: unknown }
    return typeof payload.environment === 'string' && payload.environment ? payload.environment : undefined
  } catch {
    return undefined
  }
}

/**
 * Every reason `delete` may not run here, each naming its fix; empty = the delete may go on.
 * Fails closed: when the environment's protection cannot be confirmed, that is a refusal too.
 */
export async function checkDeleteGate(options: DeleteGateOptions): Promise<Refusal[]> {
  const refusals: Refusal[] = []
  const { eventName, oidcEnvironmentClaim: claim } = options
  if (eventName.startsWith('pull_request')) {
    refusals.push(refuse(`Delete never runs on ${eventName} events: code from a pull request must not remove tables. Run the delete from workflow_dispatch or a push to a protected branch, after the pull request is merged.`))
  }
  const environment = options.environment?.trim() || claim?.trim()
  const name = environment && options.protectedEnvironments.find((p) => same(p, environment)) ? environment : undefined
  if (!name) return refusals

  if (!claim) {
    refusals.push(refuse(`Environment "${name}" is protected, but this job's OIDC token has no environment claim: the job must declare \`environment: ${name}\` and use role-to-assume (with \`permissions: id-token: write\`) so the claim is present.`))
  } else if (!same(claim, name)) {
    refusals.push(refuse(`Environment "${name}" is protected, but this job's OIDC token is for environment "${claim}": run the delete in a job that declares \`environment: ${name}\`.`))
  }
  const problem = await reviewerProblem(options, name)
  if (problem) refusals.push(refuse(problem))
  return refusals
}

/** Why the environment's required reviewers cannot be confirmed through the REST API, if they cannot. */
async function reviewerProblem(options: DeleteGateOptions, name: string): Promise<string | undefined> {
  const { token, owner, repo } = options
  const where = `${owner}/${repo}`
  if (!token) return `Environment "${name}" is protected: set github-token so the action can confirm that the environment requires reviewers.`
  const octokit = getOctokit(token, { baseUrl: apiBaseUrl(options.apiUrl) })
  let rules: Array<{ type: string; reviewers?: unknown[] }>
  try {
    const { data } = await octokit.rest.repos.getEnvironment({ owner, repo, environment_name: name })
    rules = (data.protection_rules ?? []) as typeof rules
  } catch (error) {
    const status = (error as { status?: number })?.status
    if (status === 404) return `Environment "${name}" does not exist in ${where}: create it in Settings → Environments with required reviewers, and declare \`environment: ${name}\` on the delete job.`
    if (status === 401 || status === 403) return `Could not read environment "${name}" of ${where} (HTTP ${status}) to confirm its required reviewers: give the job \`permissions: actions: read\`, or pass a github-token that can read environments.`
    return `Could not confirm that environment "${name}" of ${where} requires reviewers (${errorMessage(error)}): nothing was deleted; run the job again.`
  }
  const reviewers = rules.find((r) => r.type === 'required_reviewers')
  if (!reviewers || (Array.isArray(reviewers.reviewers) && reviewers.reviewers.length === 0)) {
    return `Environment "${name}" of ${where} has no required reviewers, so nobody approves the delete: add required reviewers in Settings → Environments → ${name}.`
  }
  return undefined
}
