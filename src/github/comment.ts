import { getOctokit } from '@actions/github'
import { MigrationError, errorMessage } from '../errors.js'

export interface StickyCommentOptions {
  /** github-token; the job needs `permissions: pull-requests: write` (or `issues: write`). */
  token: string
  owner: string
  repo: string
  /** The pull request (or issue) number. */
  issueNumber: number
  /** One sticky comment per environment; unset = "default". */
  environment?: string
  /** Markdown; the hidden marker is added in front of it. */
  body: string
  /** REST API root; default GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string
}

export interface StickyCommentResult {
  id: number
  action: 'created' | 'updated'
  url: string
}

/** The hidden HTML comment that finds this action's comment again: `<!-- dynamodb-table-migrate:<environment> -->`. */
export function stickyMarker(environment?: string): string {
  const key = (environment?.trim() || 'default').toLowerCase().replace(/[^a-z0-9._/-]+/g, '_').replace(/-{2,}/g, '-')
  return `<!-- dynamodb-table-migrate:${key} -->`
}

export function apiBaseUrl(apiUrl?: string): string {
  return (apiUrl || process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
}

/**
 * Updates this action's comment for the environment on the pull request, or creates it: reruns
 * and later phases edit one comment instead of adding a new one each time. Comments without the
 * marker (other bots, people) are never touched.
 */
export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { token, owner, repo, issueNumber, environment, body } = options
  const marker = stickyMarker(environment)
  const text = body.includes(marker) ? body : `${marker}\n${body}`
  const octokit = getOctokit(token, { baseUrl: apiBaseUrl(options.apiUrl) })
  try {
    let existing: { id: number } | undefined
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 })
    for await (const page of pages) {
      existing = page.data.find((c) => c.body?.includes(marker))
      if (existing) break
    }
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text })
      return { id: data.id, action: 'updated', url: data.html_url }
    }
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: text })
    return { id: data.id, action: 'created', url: data.html_url }
  } catch (error) {
    const status = (error as { status?: number })?.status
    const hint = status === 403 || status === 401 ? ' (give the job permissions: pull-requests: write, or pass a github-token that may comment)' : ''
    throw new MigrationError('GITHUB_ERROR', `Could not write the migration comment on ${owner}/${repo}#${issueNumber}: ${errorMessage(error)}${hint}`)
  }
}
