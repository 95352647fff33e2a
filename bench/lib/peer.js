/**
 * Starts the peer (peer_server.js) as a child process of its own, so that its
 * RSS and CPU are its own, and calls it over IPC.
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { stopChild } from './ours.js'

const SERVER = new URL('./peer_server.js', import.meta.url)
const CALL_TIMEOUT_MS = 600_000

/** `store`: 'memory' (the provider's in-process adapter) or 'redis' (127.0.0.1:6379) */
export async function startPeer({ port, format, alg, user, store = 'memory' }) {
  const clientSecret = randomBytes(32).toString('base64url')
  const config = JSON.stringify({ port, format, alg, clientSecret, user, store })
  const child = fork(SERVER, [config], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let output = ''
  const keep = (chunk) => (output = (output + chunk).slice(-4000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the peer did not start within 30 s:\n${output}`)),
      30_000
    )
    child.once('exit', (code) => reject(new Error(`the peer exited with ${code}:\n${output}`)))
    child.on('message', (message) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      resolve(message)
    })
  })

  let nextId = 0
  const call = (type, count) =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      const timer = setTimeout(() => reject(new Error(`peer ${type} timed out`)), CALL_TIMEOUT_MS)
      const onMessage = (message) => {
        if (message.id !== id) return
        clearTimeout(timer)
        child.off('message', onMessage)
        if (message.error) reject(new Error(message.error))
        else resolve(message.result)
      }
      child.on('message', onMessage)
      child.send({ id, type, count })
    })

  return {
    pid: child.pid,
    origin: `http://127.0.0.1:${port}`,
    clientId: ready.clientId,
    clientSecret,
    mintRefreshTokens: (count) => call('mint', count),
    fillTokens: (count) => call('fill', count),
    stop: () => stopChild(child),
  }
}

/** Node's bare http server (floor_server.js), the floor without any framework */
export async function startBare(port) {
  const child = fork(new URL('./floor_server.js', import.meta.url), [String(port)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)))
    child.stdout.once('data', resolve)
  })
  return { pid: child.pid, origin: `http://127.0.0.1:${port}`, stop: () => stopChild(child) }
}
