import { describe, expect, it } from '@jest/globals'
import { confirmDeletes } from '../../src/cli/confirm.js'
import { MigrationError } from '../../src/errors.js'

const pairs = [
  { source: 'order-tracking-qa', target: 'qa-order-tracking' },
  { source: 'user-settings-qa', target: 'qa-user-settings' }
]

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    return error instanceof MigrationError ? error.code : String(error)
  }
}

describe('the delete confirmation', () => {
  it('leaves modes that delete nothing alone', async () => {
    expect(await confirmDeletes('migrate', pairs, [])).toEqual([])
  })

  it('without a terminal, refuses unless --confirm-delete names every source', async () => {
    expect(await codeOf(confirmDeletes('delete', pairs, ['order-tracking-qa']))).toBe('DELETE_REFUSED')
    expect(await codeOf(confirmDeletes('delete-source', pairs, []))).toBe('DELETE_REFUSED')
    expect(await confirmDeletes('delete', pairs, ['order-tracking-qa', 'user-settings-qa'])).toEqual(['order-tracking-qa', 'user-settings-qa'])
  })

  it('on a terminal, asks only for the sources not confirmed yet, and takes exactly the name', async () => {
    const asked: string[] = []
    const names = await confirmDeletes('delete', pairs, ['order-tracking-qa'], async (q) => {
      asked.push(q)
      return ' user-settings-qa \n'
    })
    expect(names).toEqual(['order-tracking-qa', 'user-settings-qa'])
    expect(asked).toHaveLength(1)
    expect(asked[0]).toContain('Type user-settings-qa to confirm')
    expect(await codeOf(confirmDeletes('delete', pairs, [], async () => 'user-settings'))).toBe('DELETE_REFUSED')
    expect(await codeOf(confirmDeletes('delete', pairs, [], async () => ''))).toBe('DELETE_REFUSED')
  })
})
