/**
 * The floor without any framework: Node's bare http server answering every
 * request with the JSON our liveness probe sends (`{"status":"ok"}`, no-store).
 * `node floor_server.js PORT`; ready when it prints `listening`.
 */
import http from 'node:http'

const BODY = JSON.stringify({ status: 'ok' })
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'pragma': 'no-cache',
  })
  res.end(BODY)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'))
