/**
 * The servers the bench compares our edge with: the bare Worker (started by `wrangler dev`
 * exactly as test/support/wrangler-dev.ts starts the platform, minus D1) and nginx
 * `proxy_cache` (Debian's nginx with its own config, state and port).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, stopProcessGroup, waitForHttp } from '../support/processes'
import { type RunningEdge, startWranglerDev } from '../support/wrangler-dev'

export interface RunningServer {
  url: string
  /** Process group: every process the server started. */
  pgid: number
  stop(): Promise<void>
}

function collect(child: ChildProcess): () => string {
  let output = ''
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  return () => output
}

/** `wrangler dev` for test/bench/bare-worker, started exactly as the platform's e2e harness. */
export function startBareWorker(originUrl: string): Promise<RunningEdge> {
  return startWranglerDev({
    config: 'test/bench/bare-worker/wrangler.toml',
    vars: { ORIGIN_URL: originUrl },
  })
}

/** Debian installs nginx in /usr/sbin, which a non-root PATH may lack. */
export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nginx']).toString().trim() || undefined
  } catch {
    return undefined
  }
}

/** `nginx -v` and `wrk -v` print their version on stderr / stdout and may exit non-zero. */
export function versionOf(binary: string, pattern: RegExp): string {
  const result = spawnSync(binary, ['-v'], { encoding: 'utf8' })
  return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[1] ?? 'unknown'
}

/**
 * nginx as a caching reverse proxy in front of `originUrl`: `proxy_cache` on a temp dir,
 * upstream keep-alive, `proxy_cache_lock` (its request collapsing), no access log.
 */
export async function startNginx(
  binary: string,
  originUrl: string,
  workers: string
): Promise<RunningServer & { conf: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-cdn-bench-nginx-'))
  for (const sub of ['cache', 'client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    await mkdir(join(dir, sub))
  }
  const port = await freePort()
  const origin = new URL(originUrl)
  const asRoot = process.getuid?.() === 0
  const conf = `${asRoot ? 'user root root;\n' : ''}worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/client;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=bench:64m max_size=8g inactive=1h use_temp_path=off;
  upstream origin {
    server ${origin.hostname}:${origin.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`
  const confPath = join(dir, 'nginx.conf')
  await writeFile(confPath, conf)
  const child = spawn(binary, ['-p', dir, '-c', confPath, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const output = collect(child)
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${url}/__ready`, child, 20_000)
  } catch (error) {
    await stopProcessGroup(child)
    throw new Error(`nginx did not start: ${String(error)}\n${output()}`)
  }
  return {
    url,
    conf,
    pgid: child.pid ?? 0,
    async stop() {
      await stopProcessGroup(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
