/** The action's entry point: the work is in run(), which tests import directly. */
import { run } from './main.js'

await run()
