/**
 * Reads /proc for the bench: which processes belong to a `wrangler dev` (or nginx) process
 * group, their CPU time and their resident memory. Linux only.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second, the unit of utime/stime/starttime in /proc/<pid>/stat. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

interface Stat {
  pid: number
  comm: string
  pgrp: number
  /** utime + stime, in clock ticks. */
  cpuTicks: number
  /** Start time after boot, in clock ticks. */
  startTicks: number
}

function readStat(pid: number): Stat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // comm is in parentheses and may contain spaces; fields after it are space-separated from
  // field 3 (state) on, so field n is at index n - 3.
  const close = text.lastIndexOf(')')
  const comm = text.slice(text.indexOf('(') + 1, close)
  const fields = text
    .slice(close + 2)
    .split(' ')
    .map((f) => Number(f))
  const at = (n: number) => fields[n - 3] ?? 0
  return { pid, comm, pgrp: at(5), cpuTicks: at(14) + at(15), startTicks: at(22) }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
}

/** The process group of the `wrangler dev` listening on `port` (found by its command line). */
export function wranglerGroup(port: number): number {
  for (const pid of allPids()) {
    let args: string[]
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    const at = args.indexOf('--port')
    if (args.includes('dev') && at >= 0 && args[at + 1] === String(port)) {
      const stat = readStat(pid)
      if (stat) return stat.pgrp
    }
  }
  throw new Error(`no wrangler dev process for port ${port}`)
}

/** Processes of a group; `comm` narrows them (e.g. `workerd`). */
export function groupPids(pgrp: number, comm?: string): number[] {
  return allPids().filter((pid) => {
    const stat = readStat(pid)
    return stat?.pgrp === pgrp && (comm === undefined || stat.comm === comm)
  })
}

/** utime + stime summed over `pids`, in milliseconds. */
export function cpuMs(pids: number[]): number {
  let ticks = 0
  for (const pid of pids) ticks += readStat(pid)?.cpuTicks ?? 0
  return (ticks * 1000) / CLK_TCK
}

/** VmRSS summed over `pids`, in bytes. */
export function rssBytes(pids: number[]): number {
  let total = 0
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      total += Number(match?.[1] ?? 0) * 1024
    } catch {
      // exited
    }
  }
  return total
}

/** When `pid` was started, as epoch milliseconds (10 ms resolution). */
export function startedAtMs(pid: number): number {
  const stat = readStat(pid)
  if (!stat) throw new Error(`no process ${pid}`)
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
  const bootMs = Date.now() - uptimeS * 1000
  return bootMs + (stat.startTicks * 1000) / CLK_TCK
}

/** nproc, CPU model and memory of this machine. */
export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const meminfo = readFileSync('/proc/meminfo', 'utf8')
  return {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memTotalMiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024),
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  }
}
