/**
 * @module test/support/nginx
 * Debian's nginx as a real origin: `gzip on` and `gzip_vary on`, as most sites run it, serving a
 * directory the test writes, on a free loopback port with its own config file (never the
 * system service). Compressed answers come chunked, without Content-Length.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { freePort, stopProcessGroup, waitForHttp } from './processes'

export const NGINX_BINARY = '/usr/sbin/nginx'

/** Why nginx cannot run here, or undefined when it can. */
export function nginxMissing(): string | undefined {
  return existsSync(NGINX_BINARY)
    ? undefined
    : `nginx is not installed (${NGINX_BINARY}): apt-get install -y nginx-light`
}

export interface RunningNginx {
  url: string
  stop(): Promise<void>
}

/**
 * @param files path (below the root, e.g. `app.js`) → content
 * @param cacheControl sent on every answer, so the CDN may cache it
 */
export async function startNginx(
  files: Record<string, string | Uint8Array>,
  cacheControl = 'public, max-age=600'
): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'edge-cdn-nginx-'))
  const root = join(prefix, 'www')
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
  const port = await freePort()
  const config = join(prefix, 'nginx.conf')
  await writeFile(
    config,
    `daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${prefix}/tmp;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
  gzip on;
  gzip_vary on;
  gzip_min_length 64;
  gzip_types text/css application/javascript text/javascript application/json text/plain;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    add_header Cache-Control "${cacheControl}";
  }
}
`
  )
  const child: ChildProcess = spawn(NGINX_BINARY, ['-c', config, '-p', prefix], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${url}/`, child, 10_000)
  } catch (error) {
    await stopProcessGroup(child)
    throw new Error(`nginx did not start: ${String(error)}\n${output}`)
  }
  return {
    url,
    async stop() {
      await stopProcessGroup(child)
      await rm(prefix, { recursive: true, force: true })
    },
  }
}
