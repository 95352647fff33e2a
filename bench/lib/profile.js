/**
 * Reading a V8 .cpuprofile: self time per function and per package, over the
 * samples taken while the load ran (the window from lib/load.js).
 */
import { readFileSync } from 'node:fs'

function where(url) {
  if (!url) return 'native'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (modules) return modules[1]
  if (url.startsWith('node:')) return 'node'
  const app = /\/build\/(.+)$/.exec(url)
  return app ? `app:${app[1].split('/').slice(0, 2).join('/')}` : url
}

function shortUrl(url) {
  if (!url) return ''
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/build\//, 'build/')
}

export function summariseProfile(file, window, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  let time = profile.startTime
  let inWindow = 0
  const selfByNode = new Map()
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i]
    if (time < window.from || time > window.to) return
    const delta = profile.timeDeltas[i + 1] ?? 0
    inWindow += delta
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta)
  })
  const byFunction = new Map()
  const byPackage = new Map()
  for (const [id, micros] of selfByNode) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame
    const name = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
    const area = url ? where(url) : functionName
    byPackage.set(area, (byPackage.get(area) ?? 0) + micros)
  }
  const ranked = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000, pct: (micros / inWindow) * 100 }))
  return { windowMs: inWindow / 1000, functions: ranked(byFunction), packages: ranked(byPackage) }
}

export function printProfile(title, summary) {
  console.log(`\n${title}: ${summary.windowMs.toFixed(0)} ms of samples under load`)
  console.log('  top self time, by function:')
  for (const { name, pct } of summary.functions)
    console.log(`    ${pct.toFixed(1).padStart(5)}%  ${name}`)
  console.log('  self time, by package:')
  for (const { name, pct } of summary.packages)
    console.log(`    ${pct.toFixed(1).padStart(5)}%  ${name}`)
}

/** Statements between the marks of a query log: { label: [sql, …] } in order */
export function readQueryLog(file) {
  const groups = new Map()
  let current = null
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#MARK ')) {
      current = line.slice(6)
      groups.set(current, [])
    } else if (line && current) {
      groups.get(current).push(line)
    }
  }
  return groups
}
