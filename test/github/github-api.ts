// A local stand-in for the few GitHub REST endpoints the action calls: issue comments (list with
// Link-header pagination, create, update) and environments. Records every call.
import { json, startStandIn, type RecordedRequest, type Reply, type StandIn } from './http-stand-in.js'

export interface StoredComment {
  id: number
  issue: number
  body: string
  user: { login: string; type: 'Bot' | 'User' }
}

export interface StoredEnvironment {
  name: string
  protection_rules: Array<Record<string, unknown> & { type: string }>
}

export interface GitHubApiStandIn extends StandIn {
  comments: StoredComment[]
  environments: StoredEnvironment[]
  /** Answer environment reads with this status (401, 403, 500...) instead of the stored data. */
  environmentStatus?: number
  /** Adds a comment as if someone else had written it. */
  seedComment(issue: number, body: string, user?: StoredComment['user']): StoredComment
  calls(): string[]
}

const REPO = String.raw`\/repos\/([^/]+)\/([^/]+)`

export async function startGitHubApi(): Promise<GitHubApiStandIn> {
  const comments: StoredComment[] = []
  const environments: StoredEnvironment[] = []
  let nextId = 5000
  const bot = { login: 'github-actions[bot]', type: 'Bot' as const }
  const authorised = (req: RecordedRequest) => /^(token|bearer) \S+$/i.test(String(req.headers.authorization ?? ''))
  const view = (c: StoredComment, origin: string, owner: string, repo: string) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: c.user,
    html_url: `https://github.com/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    url: `${origin}/repos/${owner}/${repo}/issues/comments/${c.id}`
  })

  const list = (req: RecordedRequest, [owner, repo, issue]: string[], origin: string): Reply => {
    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100)
    const page = Number(req.query.get('page') ?? 1)
    const all = comments.filter((c) => String(c.issue) === issue)
    const slice = all.slice((page - 1) * perPage, page * perPage)
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const link = (p: number, rel: string) => `<${origin}/repos/${owner}/${repo}/issues/${issue}/comments?per_page=${perPage}&page=${p}>; rel="${rel}"`
    const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])]
    return json(200, slice.map((c) => view(c, origin, owner!, repo!)), links.length ? { link: links.join(', ') } : undefined)
  }
  const create = (req: RecordedRequest, [owner, repo, issue]: string[], origin: string): Reply => {
    const body = (JSON.parse(req.body.toString()) as { body?: string }).body
    if (!body) return json(422, { message: 'body is required' })
    const c: StoredComment = { id: nextId++, issue: Number(issue), body, user: bot }
    comments.push(c)
    return json(201, view(c, origin, owner!, repo!))
  }
  const update = (req: RecordedRequest, [owner, repo, id]: string[], origin: string): Reply => {
    const c = comments.find((x) => String(x.id) === id)
    if (!c) return json(404, { message: 'Not Found' })
    if (c.user.login !== bot.login) return json(403, { message: 'Resource not accessible by integration' })
    c.body = (JSON.parse(req.body.toString()) as { body: string }).body
    return json(200, view(c, origin, owner!, repo!))
  }
  const environment = (_req: RecordedRequest, [, , name]: string[]): Reply => {
    if (api.environmentStatus) return json(api.environmentStatus, { message: api.environmentStatus === 403 ? 'Resource not accessible by integration' : 'stand-in failure' })
    const env = environments.find((e) => e.name.toLowerCase() === name!.toLowerCase())
    if (!env) return json(404, { message: 'Not Found' })
    return json(200, { id: 1, name: env.name, protection_rules: env.protection_rules, deployment_branch_policy: null })
  }
  const guard =
    (handler: (req: RecordedRequest, params: string[], origin: string) => Reply) =>
    (req: RecordedRequest, params: string[], origin: string): Reply =>
      authorised(req) ? handler(req, params, origin) : json(401, { message: 'Requires authentication' })

  const standIn = await startStandIn([
    ['GET', new RegExp(`^${REPO}\\/issues\\/(\\d+)\\/comments$`), guard(list)],
    ['POST', new RegExp(`^${REPO}\\/issues\\/(\\d+)\\/comments$`), guard(create)],
    ['PATCH', new RegExp(`^${REPO}\\/issues\\/comments\\/(\\d+)$`), guard(update)],
    ['GET', new RegExp(`^${REPO}\\/environments\\/([^/]+)$`), guard(environment)]
  ])
  const api: GitHubApiStandIn = {
    ...standIn,
    comments,
    environments,
    seedComment(issue, body, user = { login: 'someone', type: 'User' }) {
      const c = { id: nextId++, issue, body, user }
      comments.push(c)
      return c
    },
    calls: () => standIn.requests.map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query.toString()}` : ''}`)
  }
  return api
}
