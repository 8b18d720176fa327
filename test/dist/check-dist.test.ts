import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** As the official action template's check-dist: dist/ must be what `npm run bundle` makes of src/. */
describe('dist/', () => {
  it('is up to date with src/ (run `npm run bundle` and commit dist/)', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'check-dist-'))
    try {
      const ncc = path.join(path.dirname(require.resolve('@vercel/ncc/package.json')), 'dist/ncc/cli.js')
      execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', out, '--source-map', '--license', 'licenses.txt', '--quiet'], { stdio: 'pipe' })
      const built = (await fs.readdir(out)).sort()
      const committed = (await fs.readdir('dist')).sort()
      expect(committed).toEqual(built)
      for (const file of built) {
        const same = (await fs.readFile(path.join(out, file))).equals(await fs.readFile(path.join('dist', file)))
        expect({ file, same }).toEqual({ file, same: true })
      }
    } finally {
      await fs.rm(out, { recursive: true, force: true })
    }
  }, 180_000)
})
