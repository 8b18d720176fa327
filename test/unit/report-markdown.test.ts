import { describe, expect, it } from '@jest/globals'
import { renderMarkdown } from '../../src/report/markdown.js'
import { DIGEST, OTHER, migrateResults, planResults } from './report-fixtures.js'

describe('renderMarkdown', () => {
  describe('plan', () => {
    const md = renderMarkdown('plan', planResults())

    it('has a heading naming the mode and a plan table', () => {
      expect(md.startsWith('### DynamoDB migration — `plan`\n')).toBe(true)
      expect(md).toContain('| source | target | status | items (scan count) | estimate (DescribeTable) | target | est. duration |')
    })

    it('has one row per pair with counts, target action and estimate', () => {
      expect(md).toContain('| `orders` | `orders-v2` | 📝 planned | 1,234,567 | 1,200,000 | use-existing | 2 min 5 s |')
      expect(md).toContain('| `users` | `users-v2` | 📝 planned | – | – | create | – |')
    })

    it('lists refusals, escaping table pipes and line breaks', () => {
      expect(md).toContain('#### Refusals and failures')
      expect(md).toContain('- `orders -> orders-v2` **SCHEMA_MISMATCH**: orders-v2 \\| differs:<br>see below')
    })

    it('lists blocking schema differences, warnings and delete refusals per pair', () => {
      expect(md).toContain('#### `orders -> orders-v2`')
      expect(md).toContain('- blocking: global secondary index gsi1: missing on the target')
      expect(md).toContain('- differs: billing mode: source PAY_PER_REQUEST, target PROVISIONED')
      expect(md).toContain('- delete would refuse: orders is not listed in confirm-delete')
      expect(md).not.toContain('#### `users -> users-v2`')
    })

    it('lists each warning once', () => {
      expect(md.split('DescribeTable item count is an estimate').length - 1).toBe(1)
    })

    it('ends with a newline', () => {
      expect(md.endsWith('\n')).toBe(true)
    })
  })

  describe('migrate', () => {
    const md = renderMarkdown('migrate', migrateResults())

    it('has a heading naming the mode and a results table', () => {
      expect(md.startsWith('### DynamoDB migration — `migrate`\n')).toBe(true)
      expect(md).toContain('| source | target | status | scanned | written | verified | digest | duration | items/s | backup |')
    })

    it('shows a verified row with the digest prefix and the artifact', () => {
      expect(md).toContain(`| \`orders\` | \`orders-v2\` | ✅ verified | 20,000 | 20,000 | 20,000 | ✅ \`${DIGEST.slice(0, 12)}\` | 1 min 35 s | 4,210 | \`dynamodb-backup-orders\` |`)
    })

    it('shows a mismatching digest against the expected one and the backup folder', () => {
      expect(md).toContain(`❌ \`${OTHER.slice(0, 12)}\` ≠ \`${DIGEST.slice(0, 12)}\``)
      expect(md).toContain('❌ mismatch')
      expect(md).toContain('`dynamodb-backups/users-20240501`')
    })

    it('lists the error and the keyed differences', () => {
      expect(md).toContain('- `users -> users-v2` **VERIFY_MISMATCH**: users-v2 has 9 items, the backup 10')
      expect(md).toContain('#### Differences in `users-v2`')
      expect(md).toContain('1 missing, 0 extra, 0 changed.')
      expect(md).toContain('- missing: `id="u-7"`')
    })

    it('lists warnings', () => {
      expect(md).toContain('#### Warnings')
      expect(md).toContain('- users-v2 was written to during the copy')
    })
  })

  it('renders no sections for a clean run', () => {
    const md = renderMarkdown('migrate', migrateResults().slice(0, 1))
    expect(md).not.toContain('####')
  })
})
