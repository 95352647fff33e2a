/**
 * edge.js lists the components of every mounted views directory (a walk of
 * the disk) each time it makes a renderer, unless its cache was on when the
 * Edge instance was built. The framework builds the shared instance first and
 * turns the cache on afterwards (production), so the walk ran on every page
 * and on every request that shares a value with its view (the CSP nonce, on
 * every non-API path): a directory walk per request. With the cache on, the
 * views of a running build do not change, so the first list is kept.
 */
import type { Edge } from 'edge.js'

export function keepComponentList(edge: Edge) {
  const list = edge.loader.listComponents.bind(edge.loader)
  let components: ReturnType<typeof list> | undefined
  edge.loader.listComponents = () => (components ??= list())
}
