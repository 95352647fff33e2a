import { createServer } from 'node:net'

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(null))
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : null))
    })
  })
}

/** The first of `size` consecutive free loopback ports, starting where the system hands out a free one */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await listenOn(0)
    if (base === null || base + size > 65535) continue
    let free = true
    for (let port = base + 1; port < base + size && free; port++) free = (await listenOn(port)) !== null
    if (free) return base
  }
  throw new Error(`no ${size} consecutive free ports on 127.0.0.1`)
}
