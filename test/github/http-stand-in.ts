// A tiny router over node:http for local stand-ins of GitHub services. It listens on
// 127.0.0.1 port 0 only, records every request (with its body), and answers JSON or bytes.
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** A Buffer is sent as is; anything else as JSON. */
  body?: unknown
}

export type Handler = (req: RecordedRequest, params: string[], origin: string) => Reply | Promise<Reply>
export type Route = [method: string, path: RegExp, handler: Handler]

export interface StandIn {
  /** `http://127.0.0.1:<port>` */
  origin: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers })

export async function startStandIn(routes: Route[]): Promise<StandIn> {
  const requests: RecordedRequest[] = []
  let origin = ''
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin)
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) }
      requests.push(recorded)
      const route = routes.find(([method, pattern]) => method === recorded.method && pattern.test(recorded.path))
      const handle = async (): Promise<Reply> => {
        if (!route) return json(404, { message: `stand-in: no route for ${recorded.method} ${recorded.path}` })
        const params = (route[1].exec(recorded.path) ?? []).slice(1).map((p) => decodeURIComponent(p ?? ''))
        return route[2](recorded, params, origin)
      }
      handle()
        .catch((error: unknown) => json(500, { message: `stand-in error: ${String(error)}` }))
        .then((reply) => {
          const isBuffer = Buffer.isBuffer(reply.body)
          const payload = reply.body === undefined ? undefined : isBuffer ? (reply.body as Buffer) : Buffer.from(JSON.stringify(reply.body))
          const headers: Record<string, string> = { ...(payload && !isBuffer ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...reply.headers }
          if (payload) headers['content-length'] = String(payload.length)
          res.writeHead(reply.status, headers)
          res.end(payload)
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}
