import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { FakeHttpServer, sendJson } from './fake-http-server';

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export interface FakeHubFile {
  path: string;
  size: number;
  /** LFS files are answered like the real hub: 302 to a CDN with `x-linked-size`. */
  lfs?: boolean;
  /**
   * Bytes served by `GET` (with `Range` support). LFS files then redirect to this fake's own
   * `/cdn/…` path with `x-linked-etag: "<sha256 of content>"`, like the hub's CDN redirect.
   * `size` stays what the hub announces (set it differently to serve a wrong-sized file).
   */
  content?: Buffer;
  /** Serve `content` in chunks of this many bytes, `chunkDelayMs` apart (a slow link). */
  chunkBytes?: number;
  chunkDelayMs?: number;
}

export interface FakeHubRepo {
  id: string;
  downloads?: number;
  likes?: number;
  tags?: string[];
  files: FakeHubFile[];
}

export interface HubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

/**
 * A local stand-in for the Hugging Face Hub API (https://huggingface.co/docs/hub/api):
 * `GET /api/models?filter=gguf&search=&limit=` (list items `{_id, id, modelId, downloads,
 * likes, tags, ...}`), `GET /api/models/{repo}/tree/main` (`{type, oid, size, path, lfs?}`),
 * `HEAD /{repo}/resolve/main/{file}` (302 + `x-linked-size` for LFS files, 200 +
 * content-length otherwise; 404 with `x-error-code: EntryNotFound` / 401 with
 * `x-error-code: RepoNotFound` when missing). Fault injection: `down` (500), `latencyMs`,
 * `hang` (never answers), `closeSockets`.
 */
export class FakeHfHub extends FakeHttpServer {
  readonly requests: HubRequest[] = [];
  repos: FakeHubRepo[] = [];
  down = false;
  /** When set, tree listings come in pages of this size, linked like the Hub's (`Link: <…>; rel="next"`). */
  treePageSize: number | null = null;
  hang = false;
  latencyMs = 0;

  constructor(repos: FakeHubRepo[] = []) {
    super();
    this.repos = repos;
  }

  /** Requests whose path starts with `prefix` (e.g. '/api/models'). */
  count(prefix: string, method = 'GET'): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(u.pathname);
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      query: u.searchParams,
      authorization: req.headers.authorization,
    });
    if (this.hang) return;
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.down)
      return sendJson(res, 500, {
        error: "Internal Error - We're working hard to fix this as soon as possible!",
      });

    if (req.method === 'GET' && path === '/api/models') return this.list(u.searchParams, res);
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(path);
    if (req.method === 'GET' && tree) return this.tree(tree[1], u.searchParams, res);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    if ((req.method === 'HEAD' || req.method === 'GET') && resolve)
      return this.resolve(resolve[1], resolve[2], req, res);
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (req.method === 'GET' && cdn) {
      const f = this.repos.find((r) => r.id === cdn[1])?.files.find((x) => x.path === cdn[2]);
      if (f?.content) return this.serveContent(f, f.content, req, res);
    }
    return sendJson(res, 404, { error: "Sorry, we can't find the page you are looking for." });
  }

  private list(q: URLSearchParams, res: ServerResponse): void {
    const search = (q.get('search') ?? '').toLowerCase();
    const limit = Math.min(Number(q.get('limit') ?? 1000) || 1000, 1000);
    const filter = q.get('filter');
    let items = this.repos.filter((r) => !search || r.id.toLowerCase().includes(search));
    if (filter) items = items.filter((r) => (r.tags ?? ['gguf']).includes(filter));
    if (q.get('sort') === 'downloads')
      items = [...items].sort((a, b) => (b.downloads ?? 0) - (a.downloads ?? 0));
    const body = items.slice(0, limit).map((r, i) => ({
      _id: `65${String(i).padStart(22, '0')}`,
      id: r.id,
      modelId: r.id,
      likes: r.likes ?? 0,
      downloads: r.downloads ?? 0,
      tags: r.tags ?? ['gguf'],
      private: false,
      library_name: 'gguf',
      createdAt: '2024-01-01T00:00:00.000Z',
    }));
    sendJson(res, 200, body);
  }

  private tree(repoId: string, query: URLSearchParams, res: ServerResponse): void {
    const repo = this.repos.find((r) => r.id === repoId);
    if (!repo) {
      res.setHeader('x-error-code', 'RepoNotFound');
      return sendJson(res, 401, { error: 'Repository Not Found' });
    }
    const body = [
      { type: 'file', oid: 'a1b2', size: 1519, path: '.gitattributes' },
      { type: 'file', oid: 'c3d4', size: 2048, path: 'README.md' },
      ...repo.files.map((f) => ({
        type: 'file',
        oid: 'e5f6',
        size: f.lfs === false ? f.size : 135,
        path: f.path,
        ...(f.lfs === false ? {} : { lfs: { oid: 'sha256', size: f.size, pointerSize: 135 } }),
      })),
    ];
    if (this.treePageSize === null) return sendJson(res, 200, body);
    const start = Number(query.get('cursor') ?? 0);
    const end = start + this.treePageSize;
    if (end < body.length) {
      const next = `${this.url}/api/models/${repoId}/tree/main?recursive=true&cursor=${end}`;
      res.setHeader('link', `<${next}>; rel="next"`);
    }
    sendJson(res, 200, body.slice(start, end));
  }

  /** Ranges asked for (`bytes=N-`) on content downloads, in order. */
  readonly ranges: Array<string | undefined> = [];

  private async serveContent(
    f: FakeHubFile,
    content: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const range = req.headers.range;
    this.ranges.push(range);
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` });
        return void res.end();
      }
    }
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(content.length - start),
      'accept-ranges': 'bytes',
      etag: `"${sha256(content)}"`,
    };
    if (m) headers['content-range'] = `bytes ${start}-${content.length - 1}/${content.length}`;
    res.writeHead(m ? 206 : 200, headers);
    const step = f.chunkBytes ?? content.length;
    for (let at = start; at < content.length; at += step) {
      if (res.destroyed) return;
      if (!res.write(content.subarray(at, Math.min(at + step, content.length))))
        await new Promise((r) => res.once('drain', r));
      if (f.chunkDelayMs) await new Promise((r) => setTimeout(r, f.chunkDelayMs));
    }
    res.end();
  }

  private resolve(
    repoId: string,
    file: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): void | Promise<void> {
    const repo = this.repos.find((r) => r.id === repoId);
    if (!repo) {
      res.setHeader('x-error-code', 'RepoNotFound');
      return sendJson(res, 401, { error: 'Repository Not Found' });
    }
    const f = repo.files.find((x) => x.path === file);
    if (!f) {
      res.setHeader('x-error-code', 'EntryNotFound');
      return sendJson(res, 404, { error: 'Entry not found' });
    }
    if (f.lfs === false) {
      if (f.content && req.method === 'GET') return this.serveContent(f, f.content, req, res);
      res.writeHead(200, { 'content-length': String(f.size), etag: '"abc"' });
      return void res.end();
    }
    res.writeHead(302, {
      location: f.content
        ? `${this.url}/cdn/${repoId}/${file}`
        : `https://cdn-lfs.example.invalid/repos/${repoId}/${file}`,
      'x-linked-size': String(f.size),
      'x-linked-etag': f.content ? `"${sha256(f.content)}"` : '"sha256"',
      'content-length': '0',
    });
    res.end();
  }
}
