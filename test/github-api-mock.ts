/**
 * A mock of the few GitHub REST endpoints the Action calls, on 127.0.0.1 only: issue comments
 * (paginated with Link headers, as GitHub does) and pull request files. It records every request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockComment {
  id: number;
  body: string;
}

export interface MockGitHub {
  url: string;
  requests: { method: string; path: string; body?: string; auth?: string }[];
  comments: MockComment[];
  /** Files of pull request 7, served 100 (or per_page) per page. */
  files: { filename: string; status: string; patch?: string }[];
  /** Answer 403 to comment writes (a read-only token). */
  readOnly: boolean;
  close(): Promise<void>;
}

export async function startMockGitHub(): Promise<MockGitHub> {
  let nextId = 1000;
  const mock: Omit<MockGitHub, 'url' | 'close'> = { requests: [], comments: [], files: [], readOnly: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      mock.requests.push({ method: req.method ?? '', path: url.pathname + url.search, body: body || undefined, auth: req.headers.authorization });
      const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(data));
      };
      const page = <T>(items: T[]): void => {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const n = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(items.length / perPage));
        const link = (p: number): string => {
          const u = new URL(url.toString());
          u.searchParams.set('page', String(p));
          return `<http://${req.headers.host}${u.pathname}${u.search}>`;
        };
        send(200, items.slice((n - 1) * perPage, n * perPage), n < last ? { link: `${link(n + 1)}; rel="next", ${link(last)}; rel="last"` } : {});
      };
      if (req.method === 'GET' && url.pathname === '/repos/o/r/issues/7/comments') return page(mock.comments);
      if (req.method === 'GET' && url.pathname === '/repos/o/r/pulls/7/files') return page(mock.files);
      if (mock.readOnly && (req.method === 'POST' || req.method === 'PATCH')) return send(403, { message: 'Resource not accessible by integration' });
      if (req.method === 'POST' && url.pathname === '/repos/o/r/issues/7/comments') {
        const c = { id: nextId++, body: (JSON.parse(body) as { body: string }).body };
        mock.comments.push(c);
        return send(201, c);
      }
      const patch = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const c = mock.comments.find((x) => x.id === Number(patch[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(body) as { body: string }).body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(mock, { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) });
}
