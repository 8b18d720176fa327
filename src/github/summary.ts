import * as core from '@actions/core'
import type { MigrationResult, Mode } from '../engine/result.js'
import { renderMarkdown } from '../report/markdown.js'

/** Writes the job summary when the runner provides one (GITHUB_STEP_SUMMARY). */
export async function writeJobSummary(mode: Mode, results: MigrationResult[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(renderMarkdown(mode, results), true).write()
}
