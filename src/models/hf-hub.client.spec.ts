import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import type { AppConfig } from '../config/app-config';
import { HfHubClient, hubHttpOptions, HubUnavailableError } from './hf-hub.client';

/** The client as the HttpModule builds it, for a hub at `base`. */
function hubClient(base: string, hfTimeoutMs = 5000): HfHubClient {
  const config = {
    models: { hfBaseUrl: base, hfToken: null, hfTimeoutMs },
  } as unknown as AppConfig;
  return new HfHubClient(config, new HttpService(axios.create(hubHttpOptions(config))));
}

describe('HfHubClient.headFile', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const url = req.url ?? '';
      if (url === '/old/repo/resolve/main/a.gguf') {
        res.writeHead(307, { location: '/new/repo/resolve/main/a.gguf' });
      } else if (url === '/new/repo/resolve/main/a.gguf') {
        res.writeHead(302, { location: 'https://cdn.example.invalid/x', 'x-linked-size': '123' });
      } else if (url === '/o/r/resolve/main/cdn-no-size.gguf') {
        res.writeHead(302, { location: 'https://cdn.example.invalid/y' });
      } else if (url === '/o/r/resolve/main/small.gguf') {
        res.writeHead(200, { 'content-length': '42' });
      } else if (url === '/gone/repo/resolve/main/a.gguf') {
        res.writeHead(401, { 'x-error-code': 'RepoNotFound' });
      } else if (url === '/o/r/resolve/main/denied.gguf') {
        res.writeHead(401, { 'x-error-code': 'GatedRepo' });
      } else if (url === '/o/r/resolve/main/broken.gguf') {
        res.writeHead(500);
      } else if (url.includes('/slow')) {
        return; // never answers
      } else {
        res.writeHead(404, { 'x-error-code': 'EntryNotFound' });
      }
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = () => hubClient(base);

  it('follows same-hub redirects and takes the size from x-linked-size without calling the CDN', async () => {
    expect(await client().headFile('old/repo', 'a.gguf')).toEqual({
      sizeBytes: 123,
      url: `${base}/old/repo/resolve/main/a.gguf`,
    });
    expect(seen.filter((s) => s.includes('cdn'))).toEqual([]);
  });

  it('uses content-length on a direct answer and null when a CDN redirect carries no size', async () => {
    expect((await client().headFile('o/r', 'small.gguf'))?.sizeBytes).toBe(42);
    expect((await client().headFile('o/r', 'cdn-no-size.gguf'))?.sizeBytes).toBeNull();
  });

  it('treats 404 and the hub\'s "not found" 401s as missing, other failures as unavailable', async () => {
    expect(await client().headFile('o/r', 'missing.gguf')).toBeNull();
    expect(await client().headFile('gone/repo', 'a.gguf')).toBeNull();
    await expect(client().headFile('o/r', 'denied.gguf')).rejects.toBeInstanceOf(
      HubUnavailableError,
    );
    await expect(client().headFile('o/r', 'broken.gguf')).rejects.toBeInstanceOf(
      HubUnavailableError,
    );
    await expect(hubClient(base, 300).headFile('o/slow', 'a.gguf')).rejects.toThrow(
      /timed out after 300 ms/,
    );
  });
});

describe('HfHubClient.listFiles paging', () => {
  it('refuses a next-page link that points away from the configured hub', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, {
        'content-type': 'application/json',
        link: '<https://other.example.invalid/api/models/o/r/tree/main?cursor=1>; rel="next"',
      });
      res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = hubClient(base);
      await expect(client.listFiles('o/r')).rejects.toThrow(/another host/);
      expect(seen).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('HfHubClient answers', () => {
  it('reads JSON itself (bad JSON is "unavailable") and sends the token', async () => {
    const auth: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.includes('search=broken') ? '[{"id": ' : '[{"id":"o/r","downloads":3}]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = {
      models: { hfBaseUrl: base, hfToken: 'hf_secret', hfTimeoutMs: 5000 },
    } as unknown as AppConfig;
    const client = new HfHubClient(config, new HttpService(axios.create(hubHttpOptions(config))));
    try {
      expect(await client.listModels('ok', 5)).toEqual([{ id: 'o/r', downloads: 3 }]);
      await expect(client.listModels('broken', 5)).rejects.toThrow(/invalid JSON/);
      expect(auth).toEqual(['Bearer hf_secret', 'Bearer hf_secret']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
