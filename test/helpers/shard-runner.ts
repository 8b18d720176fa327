// One shard of a fanned-out migration, in its own process, as a matrix job would run it:
//   npx tsx test/helpers/shard-runner.ts '{"endpoint":…,"source":…,"target":…,"backupDir":…,"shard":0,"shardCount":3,"scanSegments":6}'
// Prints the MigrationResult as JSON on the last line of stdout; exits 1 when it did not end `copied`.
import { dynamoClient } from '../../src/aws/clients.js'
import { engineContext } from '../../src/engine/context.js'
import { migratePair } from '../../src/engine/migrate.js'
import { DEFAULT_SETTINGS } from '../../src/engine/settings.js'

const args = JSON.parse(process.argv[2] ?? '{}') as { endpoint: string; source: string; target: string; backupDir: string; shard: number; shardCount: number; scanSegments: number }
const client = dynamoClient({ region: 'us-east-1', endpointUrl: args.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
try {
  const result = await migratePair(
    engineContext(client),
    { source: args.source, target: args.target },
    { ...DEFAULT_SETTINGS, backupDir: args.backupDir, scanSegments: args.scanSegments, writeConcurrency: 4, shard: args.shard, shardCount: args.shardCount }
  )
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exitCode = result.status === 'copied' ? 0 : 1
} catch (error) {
  process.stdout.write(JSON.stringify({ status: 'failed', error: { code: (error as { code?: string }).code, message: (error as Error).message } }) + '\n')
  process.exitCode = 1
} finally {
  client.destroy()
}
