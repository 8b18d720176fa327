import { describe, expect, it } from '@jest/globals'
import { CommanderError } from 'commander'
import type { MigrationResult, Status } from '../../src/engine/result.js'
import { MigrationError } from '../../src/errors.js'
import { ExitCode, exitCodeForError, exitCodeForResults } from '../../src/cli/exit-codes.js'
import { flagMessage } from '../../src/cli/options.js'

const result = (status: Status): MigrationResult => ({ source: 'a', target: 'b', mode: 'migrate', status, durationMs: 1, warnings: [] })

describe('exit codes scripts can rely on', () => {
  it.each([
    [['verified', 'deleted', 'planned'], ExitCode.Done],
    [['verified', 'refused'], ExitCode.Refused],
    [['refused', 'refused'], ExitCode.Refused],
    [['refused', 'failed'], ExitCode.Failed],
    [['verified', 'mismatch'], ExitCode.Failed]
  ] as [Status[], ExitCode][])('%j exits %i', (statuses, code) => {
    expect(exitCodeForResults(statuses.map(result))).toBe(code)
  })

  it('a refusal before any table is 2, anything else thrown is 1', () => {
    expect(exitCodeForError(new MigrationError('INVALID_INPUT', 'x'))).toBe(2)
    expect(exitCodeForError(new MigrationError('DELETE_REFUSED', 'x'))).toBe(2)
    expect(exitCodeForError(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(2)
    expect(exitCodeForError(new MigrationError('WRITE_INCOMPLETE', 'x'))).toBe(1)
    expect(exitCodeForError(new Error('socket hang up'))).toBe(1)
    expect(exitCodeForError('a thrown string')).toBe(1)
  })
})

describe('messages name the flag the user typed', () => {
  it('rewrites the action\'s input names', () => {
    expect(flagMessage('Input "scan-segments": got "x"', {})).toBe('--scan-segments: got "x"')
    expect(flagMessage('Input "aws-region" is required', {})).toBe('--region is required')
    expect(flagMessage('Input "migrations", line 2: "x" is not "source -> target".', {})).toBe('--migrations, line 2: "x" is not "source -> target".')
    expect(flagMessage('Input "migrations": m.yml: migrations lists no migrations', { config: 'm.yml' })).toBe('--config: m.yml: migrations lists no migrations')
  })
})
