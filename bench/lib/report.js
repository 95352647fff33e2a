/**
 * The printed table and the targets of the speed issue.
 */

/* above this, someone else's work competed with the run */
const BUSY_MACHINE_PCT = 10

const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-')

function side(result) {
  if (!result) return ['-', '-', '-', '-', '-']
  return [
    fixed(result.rps, 1),
    fixed(result.cpuMicrosPerRequest, 0),
    fixed(result.p50, 1),
    fixed(result.p99, 1),
    fixed(result.rssMB, 0),
  ]
}

function flags(result, who) {
  if (!result) return []
  const problems = []
  if (result.non2xx) problems.push(`${result.non2xx} non-2xx`)
  if (result.errors)
    problems.push(
      `${result.errors} errors${result.firstError ? ` (first: ${result.firstError})` : ''}`
    )
  if (result.poolExhausted) problems.push(`refresh pool exhausted ${result.poolExhausted} times`)
  const notes = problems.length ? [`  ! ${who}: ${problems.join(', ')} of ${result.total}`] : []
  if (result.othersCpuPct > BUSY_MACHINE_PCT)
    notes.push(
      `  ! ${who}: other processes took ${fixed(result.othersCpuPct)}% of the machine's CPU during the run`
    )
  return notes
}

const STORES = [
  ['memory', 'peer in memory'],
  ['redis', 'peer + Redis'],
]

/** Ours, each peer and the ratios; the floor's row has Node's bare server where the peers go */
export function printTable(scenarios) {
  const processes = scenarios[0]?.processes ?? 1
  const header = [
    'scenario',
    'ours req/s',
    ...(processes > 1 ? ['per process'] : []),
    'CPU µs/req',
    'p50 ms',
    'p99 ms',
    'RSS MB',
    ...STORES.flatMap(([, label]) => [`${label} req/s`, 'CPU µs', 'p50', 'p99', 'RSS']),
    '÷ memory',
    '÷ Redis',
    '% of floor',
  ]
  const floorRps = scenarios.find((s) => s.name === 'floor')?.ours.rps
  const rows = scenarios.map((s) => {
    const [rps, cpu, p50, p99, rss] = side(s.ours)
    const others =
      s.name === 'floor'
        ? [...side(s.bare), ...side(null)]
        : STORES.flatMap(([store]) => side(s.peers[store]))
    return [
      s.name === 'floor' ? `${s.title} (bare under "${STORES[0][1]}")` : s.title,
      rps,
      ...(processes > 1 ? [fixed(s.ours.rps / processes, 1)] : []),
      cpu,
      p50,
      p99,
      rss,
      ...others,
      s.ratios?.memory ? `${fixed(s.ratios.memory, 2)}×` : '-',
      s.ratios?.redis ? `${fixed(s.ratios.redis, 2)}×` : '-',
      floorRps && s.name !== 'sign-in' ? `${fixed((s.ours.rps / floorRps) * 100)}%` : '-',
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  scenarios.forEach((s, i) => {
    console.log(line(rows[i]))
    const notes = [...flags(s.ours, 'ours'), ...flags(s.bare, 'bare')]
    for (const [store, label] of STORES) notes.push(...flags(s.peers?.[store], label))
    for (const note of notes) console.log(note)
  })
}

/** One line per target of the speed issue: met or missed, with the figures */
export function evaluateTargets({ scenarios, ceilings, db, growthRows, processes = 1 }) {
  const find = (name) => scenarios.find((s) => s.name === name)
  const targets = []
  const add = (target, met, figures) => targets.push({ target, met, figures })
  const versus = (s, store) =>
    `${fixed(s.ratios[store], 2)}× (${fixed(s.ours.rps)} vs ${fixed(s.peers[store].rps)} req/s)`
  const onePeer = (name, label, store, ratio) => {
    const s = find(name)
    if (s?.peers[store])
      add(
        `${label} >= ${ratio}× the ${store === 'memory' ? 'in-memory peer' : 'peer with Redis'}`,
        s.ratios[store] >= ratio,
        versus(s, store)
      )
  }
  if (db === 'sqlite') {
    onePeer('cc-opaque', 'opaque client_credentials', 'memory', 0.8)
    onePeer('cc-opaque', 'opaque client_credentials', 'redis', 1.0)
  } else {
    const name = db === 'mysql' ? 'MySQL' : 'PostgreSQL'
    onePeer('cc-opaque', `opaque client_credentials on ${name}`, 'memory', 0.6)
  }
  const rs = find('cc-jwt-rs256')
  if (rs)
    add(
      `JWT RS256 client_credentials >= 80% of the one-core RS256 ceiling${processes > 1 ? ' (per process)' : ''}`,
      rs.ours.rps / processes >= 0.8 * ceilings.RS256,
      `${fixed(rs.ours.rps / processes)} req/s = ${fixed((rs.ours.rps / processes / ceilings.RS256) * 100)}% of ${fixed(ceilings.RS256)} signatures/s`
    )
  const es = find('cc-jwt-es256')
  if (rs && es)
    add(
      'JWT ES256 client_credentials >= 2× RS256',
      es.ours.rps >= 2 * rs.ours.rps,
      `${fixed(es.ours.rps)} vs ${fixed(rs.ours.rps)} req/s = ${fixed(es.ours.rps / rs.ours.rps, 2)}×`
    )
  onePeer('refresh', 'refresh', 'memory', 0.8)
  onePeer('userinfo', 'userinfo', 'memory', 0.8)
  onePeer('sign-in', 'full sign-in', 'memory', 1.0)
  const cc = find('cc-opaque')
  const growth = find('cc-opaque-growth')
  if (cc && growth) {
    const drop = 1 - growth.ours.rps / cc.ours.rps
    add(
      `${growthRows.toLocaleString('en')} token rows: client_credentials drop < 10%`,
      drop < 0.1,
      `${fixed(growth.ours.rps)} vs ${fixed(cc.ours.rps)} req/s = ${drop >= 0 ? 'drop' : 'gain'} of ${fixed(Math.abs(drop) * 100, 1)}%`
    )
  }
  const measured = scenarios.filter((s) => s.ours && s.name !== 'floor')
  if (measured.length) {
    const worst = measured.reduce((a, b) => (b.ours.largestRssMB > a.ours.largestRssMB ? b : a))
    add(
      'our server RSS < 256 MB at the end of every scenario (largest process)',
      worst.ours.largestRssMB < 256,
      `max ${fixed(worst.ours.largestRssMB)} MB (${worst.title})`
    )
  }
  return targets
}

export function printTargets(targets) {
  for (const { target, met, figures } of targets)
    console.log(`${met ? 'met   ' : 'MISSED'}  ${target}: ${figures}`)
}
