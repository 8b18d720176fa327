import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** As the official action template's check-dist: dist/ (and dist/cli) must be what `npm run bundle` makes of src/. */
describe('dist/', () => {
  it('is up to date with src/ (run `npm run bundle` and commit dist/)', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'check-dist-'))
    try {
      const ncc = path.join(path.dirname(require.resolve('@vercel/ncc/package.json')), 'dist/ncc/cli.js')
      execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', out, '--source-map', '--license', 'licenses.txt', '--quiet'], { stdio: 'pipe' })
      execFileSync(process.execPath, [ncc, 'build', 'src/cli.ts', '-o', path.join(out, 'cli'), '--source-map', '--quiet'], { stdio: 'pipe' })
      // dist/cli is the CLI's bundle (npm run bundle builds both): compared file by file below.
      const stale: string[] = []
      for (const sub of ['', 'cli']) {
        const list = async (dir: string) => (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort()
        const built = await list(path.join(out, sub))
        const committed = await list(path.join('dist', sub))
        expect({ sub, files: committed }).toEqual({ sub, files: built })
        for (const file of built) {
          const same = (await fs.readFile(path.join(out, sub, file))).equals(await fs.readFile(path.join('dist', sub, file)))
          if (!same) stale.push(path.join('dist', sub, file))
        }
      }
      expect(stale).toEqual([])
      const folders = (await fs.readdir('dist', { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
      expect(folders).toEqual(['cli'])
    } finally {
      await fs.rm(out, { recursive: true, force: true })
    }
  }, 600_000)
})
