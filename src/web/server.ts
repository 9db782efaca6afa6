// The inspector's HTTP server (node:http): static page files, the JSON API (api.ts) and the
// live events, behind the access checks of access.ts. GET and HEAD only: nothing on the page
// changes anything in the run. Bound to 127.0.0.1 unless --web-bind-public says otherwise.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedHosts, checkAccess, hostPort, newToken, setCommonHeaders, tokenCookie } from './access.js';
import { LiveEvents } from './live-events.js';
import { rowJson } from './history.js';
import { Api, type ApiOptions } from './api.js';

export interface WebServerOptions extends ApiOptions {
  host: string;
  port: number;
  token?: string;
  /** Where index.html, app.js and app.css are (default: the built client beside this file). */
  assetsDir?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const ASSETS: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};

/** The built client: dist/web/client beside the compiled server, or dist/ when running from src/. */
export function defaultAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'client');
  return fs.existsSync(beside) ? beside : path.join(here, '..', '..', 'dist', 'web', 'client');
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newToken();
  const assets = opts.assetsDir ?? defaultAssetsDir();
  const live = new LiveEvents();
  const api = new Api(opts, live);
  const unsubscribe = opts.history.onRow((_row, rec) => live.row(rowJson(rec)));
  let hosts = new Set<string>();
  let port = opts.port;

  const server = http.createServer((req, res) => {
    setCommonHeaders(res);
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `inspector error: ${err.message}\n`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
    }
    const verdict = checkAccess(req, url, token, hosts, port);
    if (!verdict.ok) return send(res, verdict.status, 'text/plain; charset=utf-8', `${verdict.message}\n`);
    if (verdict.fromQuery && url.pathname === '/') {
      // The token leaves the address bar (and history) at once; the cookie carries it on.
      res.setHeader('Set-Cookie', tokenCookie(port, token));
      res.setHeader('Location', '/');
      return send(res, 303, 'text/plain; charset=utf-8', 'see /\n');
    }
    if (verdict.fromQuery) res.setHeader('Set-Cookie', tokenCookie(port, token));
    const asset = ASSETS[url.pathname];
    if (asset) {
      let body: Buffer;
      try {
        body = fs.readFileSync(path.join(assets, asset[0]));
      } catch {
        return send(res, 500, 'text/plain; charset=utf-8', 'the inspector page is not built: run npm run build\n');
      }
      return send(res, 200, asset[1], body);
    }
    if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (url.pathname === '/api/events') return live.add(res);
    await api.handle(url, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  hosts = allowedHosts(opts.host, port);
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${hostPort(shown, port)}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      live.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
