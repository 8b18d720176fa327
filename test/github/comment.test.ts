// The sticky PR comment through the real Octokit client against a local REST stand-in.
import { apiBaseUrl, stickyMarker, upsertStickyComment } from '../../src/github/comment.js'
import { startGitHubApi, type GitHubApiStandIn } from './github-api.js'

let api: GitHubApiStandIn
let issue = 100
const base = () => ({ token: 'ghs_test', owner: 'octo', repo: 'shop', apiUrl: api.origin })

beforeAll(async () => {
  api = await startGitHubApi()
})
afterAll(async () => {
  await api.close()
})
beforeEach(() => {
  issue += 1
})

const commentsOn = (n: number) => api.comments.filter((c) => c.issue === n)

describe('sticky PR comment', () => {
  it('creates the comment on the first run, with the hidden marker first', async () => {
    const result = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: '### plan\nall good' })
    expect(result.action).toBe('created')
    expect(result.url).toContain(`/pull/${issue}#issuecomment-${result.id}`)
    expect(commentsOn(issue)).toEqual([expect.objectContaining({ id: result.id, body: '<!-- dynamodb-table-migrate:staging -->\n### plan\nall good' })])
    const req = api.requests.at(-1)!
    expect(req.headers.authorization).toBe('token ghs_test')
  })

  it('updates the same comment on a rerun', async () => {
    const first = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: 'run 1' })
    const before = api.requests.length
    const second = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: 'run 2' })
    expect(second).toMatchObject({ action: 'updated', id: first.id })
    expect(commentsOn(issue).map((c) => c.body)).toEqual(['<!-- dynamodb-table-migrate:staging -->\nrun 2'])
    expect(api.calls().slice(before)).toEqual([`GET /repos/octo/shop/issues/${issue}/comments?per_page=100`, `PATCH /repos/octo/shop/issues/comments/${first.id}`])
  })

  it('gives each environment (and no environment) its own comment', async () => {
    const staging = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: 's' })
    const prod = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'production', body: 'p' })
    const none = await upsertStickyComment({ ...base(), issueNumber: issue, body: 'd' })
    expect(new Set([staging.id, prod.id, none.id]).size).toBe(3)
    const again = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'Production', body: 'p2' })
    expect(again).toMatchObject({ action: 'updated', id: prod.id })
    expect(commentsOn(issue).map((c) => c.body)).toEqual([
      '<!-- dynamodb-table-migrate:staging -->\ns',
      '<!-- dynamodb-table-migrate:production -->\np2',
      '<!-- dynamodb-table-migrate:default -->\nd'
    ])
  })

  it('leaves comments without the marker alone, from bots and people', async () => {
    const human = api.seedComment(issue, 'LGTM, but check the table name')
    const otherBot = api.seedComment(issue, '<!-- some-other-action -->\ncoverage 93%', { login: 'codecov[bot]', type: 'Bot' })
    await upsertStickyComment({ ...base(), issueNumber: issue, body: 'one' })
    await upsertStickyComment({ ...base(), issueNumber: issue, body: 'two' })
    expect(commentsOn(issue).find((c) => c.id === human.id)!.body).toBe('LGTM, but check the table name')
    expect(commentsOn(issue).find((c) => c.id === otherBot.id)!.body).toBe('<!-- some-other-action -->\ncoverage 93%')
    expect(api.calls().filter((c) => c.endsWith(`/comments/${human.id}`) || c.endsWith(`/comments/${otherBot.id}`))).toEqual([])
    expect(commentsOn(issue)).toHaveLength(3)
  })

  it('finds its comment beyond the first 100 comments', async () => {
    for (let i = 0; i < 150; i++) api.seedComment(issue, `chatter ${i}`)
    const ours = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: 'first' })
    for (let i = 0; i < 60; i++) api.seedComment(issue, `more chatter ${i}`)
    const before = api.requests.length
    const again = await upsertStickyComment({ ...base(), issueNumber: issue, environment: 'staging', body: 'second' })
    expect(again).toMatchObject({ action: 'updated', id: ours.id })
    expect(api.calls().slice(before)).toEqual([
      `GET /repos/octo/shop/issues/${issue}/comments?per_page=100`,
      `GET /repos/octo/shop/issues/${issue}/comments?per_page=100&page=2`,
      `PATCH /repos/octo/shop/issues/comments/${ours.id}`
    ])
    expect(commentsOn(issue)).toHaveLength(211)
  })

  it('reads every page before creating when no comment has the marker', async () => {
    for (let i = 0; i < 250; i++) api.seedComment(issue, `chatter ${i}`)
    const before = api.requests.length
    const created = await upsertStickyComment({ ...base(), issueNumber: issue, body: 'hello' })
    expect(created.action).toBe('created')
    expect(api.calls().slice(before).filter((c) => c.startsWith('GET'))).toHaveLength(3)
    expect(commentsOn(issue).at(-1)!.id).toBe(created.id)
  })

  it('uses GITHUB_API_URL when no apiUrl is given', async () => {
    const saved = process.env.GITHUB_API_URL
    process.env.GITHUB_API_URL = `${api.origin}/`
    try {
      expect(apiBaseUrl()).toBe(api.origin)
      const { apiUrl: _unused, ...withoutUrl } = base()
      expect((await upsertStickyComment({ ...withoutUrl, issueNumber: issue, body: 'x' })).action).toBe('created')
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL
      else process.env.GITHUB_API_URL = saved
    }
  })

  it('fails with GITHUB_ERROR naming the permission when the token may not write', async () => {
    api.seedComment(issue, `${stickyMarker()}\nwritten by a person`)
    await expect(upsertStickyComment({ ...base(), issueNumber: issue, body: 'x' })).rejects.toMatchObject({ code: 'GITHUB_ERROR', message: expect.stringContaining('pull-requests: write') })
  })

  it('keeps the marker well-formed whatever the environment is called', () => {
    expect(stickyMarker('  Prod EU--west --> x ')).toBe('<!-- dynamodb-table-migrate:prod_eu-west_-_x -->')
    expect(stickyMarker('')).toBe('<!-- dynamodb-table-migrate:default -->')
  })
})
