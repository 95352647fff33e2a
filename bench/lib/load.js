/**
 * Load generation against loopback servers only: autocannon for single
 * requests, a closed loop of concurrent sign-ins for the full flow. Every
 * run is bounded in time and in count. The server's RSS is sampled from
 * /proc during the measured part.
 */
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'

const RSS_SAMPLE_MS = 100
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n)
/* A cap far above what two cores can serve, so that time is what ends a run */
const MAX_REQUESTS_PER_SECOND = 200_000

function assertLoopback(url) {
  const { hostname } = new URL(url)
  if (!/^127\.\d+\.\d+\.\d+$/.test(hostname) && hostname !== 'localhost' && hostname !== '[::1]') {
    throw new Error(`refusing to load ${url}: only loopback addresses may be load-tested`)
  }
}

export function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

/* A process's children (the workers of `--cluster N`) */
function childPids(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    return children ? children.split(' ').map(Number) : []
  } catch {
    return [] /* a child that ended while being counted */
  }
}

/** The RSS of a process and its children, and of the largest one of them */
export function treeRss(pid) {
  let total = 0
  let largest = 0
  for (const one of [pid, ...childPids(pid)]) {
    let rss = 0
    try {
      rss = rssBytes(one)
    } catch {}
    total += rss
    largest = Math.max(largest, rss)
  }
  return { total, largest }
}

function rssSampler(pid) {
  let max = treeRss(pid)
  const sample = () => {
    const now = treeRss(pid)
    max = { total: Math.max(max.total, now.total), largest: Math.max(max.largest, now.largest) }
  }
  const timer = setInterval(sample, RSS_SAMPLE_MS)
  return () => {
    clearInterval(timer)
    sample()
    return max
  }
}

const processTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/*
 * A process with its children, living (PostgreSQL serves each connection
 * from a child of the postmaster) and ended (their time is added to the
 * parent's cutime and cstime when it reaps them)
 */
function treeTicks(pid) {
  let stat, children
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
  } catch {
    return 0 /* a child that ended while being counted */
  }
  const fields = stat.split(') ')[1].split(' ')
  return (
    Number(fields[11]) +
    Number(fields[12]) +
    Number(fields[13]) +
    Number(fields[14]) +
    (children ? children.split(' ').reduce((sum, child) => sum + treeTicks(child), 0) : 0)
  )
}

function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number)
  return {
    busy: user + nice + system + irq + softirq + steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  }
}

const TICK_MICROS = 10_000 /* USER_HZ = 100 on Linux */

/**
 * CPU time the server and its database server spent, in µs: what a request
 * costs, whoever else shares the machine (their load moves requests per
 * second far more than it moves this)
 */
function serverCpu(pids) {
  const ticks = () => pids.reduce((sum, pid) => sum + treeTicks(pid), 0)
  const start = ticks()
  return () => (ticks() - start) * TICK_MICROS
}

/**
 * The share of the machine's CPU time that went neither to the processes
 * under test (the server, its database server) nor to this process (the load
 * generator): other people's work, which makes a figure unreliable.
 */
function othersCpu(pids) {
  const mine = () => pids.reduce((sum, pid) => sum + treeTicks(pid), processTicks(process.pid))
  const start = { machine: machineTicks(), mine: mine() }
  return () => {
    const machine = machineTicks()
    return (
      Math.max(
        0,
        (machine.busy - start.machine.busy - (mine() - start.mine)) /
          (machine.total - start.machine.total)
      ) * 100
    )
  }
}

/**
 * Waits, at most `maxSeconds`, for a second in which the whole machine is
 * nearly idle (our servers are idle between runs), so that a measurement does
 * not start on top of someone else's work. Returns the last busy share, in %.
 */
export async function waitForQuietMachine(maxSeconds, thresholdPct) {
  const deadline = Date.now() + maxSeconds * 1000
  for (;;) {
    const before = machineTicks()
    await sleep(1000)
    const after = machineTicks()
    const busyPct = ((after.busy - before.busy) / (after.total - before.total)) * 100
    if (busyPct < thresholdPct || Date.now() >= deadline) return busyPct
  }
}

function cannon(options, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        ...options,
        duration: seconds,
        maxOverallRequests: Math.ceil(seconds * MAX_REQUESTS_PER_SECOND),
      },
      (error, result) => (error ? reject(error) : resolve(result))
    )
  })
}

/**
 * `stackPids` are the processes serving alongside the server (its database
 * server). `requests` is autocannon's list (method, path, headers, body, setupRequest);
 * it cycles through them on every connection.
 */
export async function loadTest({
  url,
  pid,
  stackPids = [],
  requests,
  connections,
  warmup,
  duration,
}) {
  assertLoopback(url)
  const options = { url, connections, requests }
  if (warmup > 0) await cannon(options, warmup)
  const stopRss = rssSampler(pid)
  const stopCpu = othersCpu([pid, ...stackPids])
  const stopServerCpu = serverCpu([pid, ...stackPids])
  const from = monotonicMicros()
  const result = await cannon(options, duration)
  const to = monotonicMicros()
  const rss = stopRss()
  const othersCpuPct = stopCpu()
  const cpuMicros = stopServerCpu()
  return {
    rps: result.requests.total / duration,
    cpuMicrosPerRequest: cpuMicros / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rssMB: rss.total / 2 ** 20,
    largestRssMB: rss.largest / 2 ** 20,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    othersCpuPct,
    /* the measured part on CLOCK_MONOTONIC, which the server's CPU profile also uses */
    window: { from, to },
  }
}

function percentile(sorted, p) {
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
    : NaN
}

/**
 * `workers` concurrent loops of `iteration` (one full sign-in each) for
 * warm-up + duration seconds; counts the iterations that start and end in the
 * measured part.
 */
export async function closedLoop({
  url,
  pid,
  stackPids = [],
  workers,
  warmup,
  duration,
  iteration,
  maxIterations,
}) {
  assertLoopback(url)
  const start = performance.now()
  const measureFrom = start + warmup * 1000
  const end = measureFrom + duration * 1000
  const latencies = []
  let started = 0
  let failures = 0
  let firstError = null
  let stopRss = null
  let stopCpu = null
  let stopServerCpu = null
  let windowFrom = null
  const rssTimer = setTimeout(() => {
    windowFrom = monotonicMicros()
    stopRss = rssSampler(pid)
    stopCpu = othersCpu([pid, ...stackPids])
    stopServerCpu = serverCpu([pid, ...stackPids])
  }, warmup * 1000)

  async function worker() {
    while (performance.now() < end && started++ < maxIterations) {
      const t0 = performance.now()
      try {
        await iteration()
        const t1 = performance.now()
        if (t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0)
      } catch (error) {
        failures++
        firstError ??= error
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  const windowTo = monotonicMicros()
  clearTimeout(rssTimer)
  const rss = stopRss ? stopRss() : treeRss(pid)
  const othersCpuPct = stopCpu ? stopCpu() : NaN
  const cpuMicros = stopServerCpu ? stopServerCpu() : NaN
  latencies.sort((a, b) => a - b)
  return {
    rps: latencies.length / duration,
    cpuMicrosPerRequest: cpuMicros / latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rssMB: rss.total / 2 ** 20,
    largestRssMB: rss.largest / 2 ** 20,
    total: latencies.length,
    non2xx: 0,
    errors: failures,
    othersCpuPct,
    firstError: firstError ? String(firstError.message ?? firstError) : undefined,
    window: { from: windowFrom ?? windowTo, to: windowTo },
  }
}
