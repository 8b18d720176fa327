/** The CLI's entry point (bin/dynamodb-migrate.js runs its bundle): the work is in runCli(). */
import { runCli } from './cli/main.js'

process.exitCode = await runCli(process.argv.slice(2))
