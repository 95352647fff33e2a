/**
 * `--cluster N`: our server as N processes sharing one port through
 * node:cluster (the primary accepts and hands each connection to a worker in
 * turn), the same as `pm2 start bin/server.js -i N` does. Run with the build as
 * its working directory: `node cluster_primary.js N [node flags of the workers…]`.
 * The primary only forwards connections; SIGTERM stops the workers, then itself.
 */
import cluster from 'node:cluster'
import path from 'node:path'

const [count, ...execArgv] = process.argv.slice(2)
cluster.setupPrimary({ exec: path.resolve('bin/server.js'), execArgv })
let stopping = false
for (let i = 0; i < Number(count); i++) cluster.fork()
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    console.error(`worker ${worker.process.pid} exited with ${code}`)
    process.exit(1)
  }
  if (Object.keys(cluster.workers).length === 0) process.exit(0)
})
process.on('SIGTERM', () => {
  stopping = true
  for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM')
})
