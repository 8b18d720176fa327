import { readFileSync } from 'node:fs'

/** What the action needs to know about the event that started the run, read once. */
export interface RunContext {
  eventName: string
  /** The pull request number on pull_request* events. */
  pullRequest?: number
  owner?: string
  repo?: string
  runId: string
  runAttempt: string
  /** True when the runner's artifact service is reachable (real Actions runs and their stand-ins). */
  hasArtifactService: boolean
  runnerTemp: string
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  let payload: { pull_request?: { number?: number }; number?: number } = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))
    } catch {
      payload = {}
    }
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  return {
    eventName,
    pullRequest: eventName.startsWith('pull_request') ? (payload.pull_request?.number ?? payload.number) : undefined,
    owner: owner || undefined,
    repo: repo || undefined,
    runId: env.GITHUB_RUN_ID ?? 'local',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    hasArtifactService: !!(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL),
    runnerTemp: env.RUNNER_TEMP ?? env.TMPDIR ?? '/tmp'
  }
}
