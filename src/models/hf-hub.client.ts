import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { isAxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { encodePath } from './hf-names';

/** Pages of a repository's file listing followed at most (the hub pages by 1000 files). */
const MAX_TREE_PAGES = 20;
/** Largest answer read from the hub (a page of 1000 file entries is a few hundred KB). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The hub failed (network, timeout, 5xx, unexpected body). */
export class HubUnavailableError extends Error {}

/**
 * The axios settings of the hub's HttpModule (docs/adr/0007-http-clients.md): the timeout of
 * LLMLB_HF_TIMEOUT_MS, no redirects (headFile follows the hub's own ones itself, so nothing
 * ever leaves the hub's origin), no proxy from the environment (as before, with fetch), every
 * status answered (the client maps them), bodies as text (parsed here, so bad JSON is an error).
 */
export function hubHttpOptions(config: AppConfig): AxiosRequestConfig {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'llmlb' };
  if (config.models.hfToken) headers.authorization = `Bearer ${config.models.hfToken}`;
  return {
    timeout: config.models.hfTimeoutMs,
    maxRedirects: 0,
    proxy: false,
    headers,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_BODY_BYTES,
  };
}

type HubResponse = AxiosResponse<string>;

export interface HubModel {
  id: string;
  downloads?: number;
  likes?: number;
  tags?: string[];
  siblings?: Array<{ rfilename: string; size?: number }>;
}

export interface HubTreeEntry {
  type: string;
  path: string;
  size?: number;
  lfs?: { size?: number };
}

const NOT_FOUND_CODES = new Set(['RepoNotFound', 'EntryNotFound', 'RevisionNotFound']);

/**
 * The Hugging Face Hub API, and nothing else: every URL is built from HF_BASE_URL and already
 * validated names, through the HttpModule configured by `hubHttpOptions` (a timeout on every
 * call, no redirects followed by the library).
 */
@Injectable()
export class HfHubClient {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpService,
  ) {}

  private get base(): string {
    return this.config.models.hfBaseUrl;
  }

  private async call(url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<HubResponse> {
    const ms = this.config.models.hfTimeoutMs;
    try {
      // `timeout` is axios' own; the signal bounds the whole exchange, body included.
      return await firstValueFrom(
        this.http.request<string>({ url, method, signal: AbortSignal.timeout(ms) }),
      );
    } catch (e) {
      const timedOut =
        isAxiosError(e) &&
        (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.code === 'ERR_CANCELED');
      const what = timedOut ? `timed out after ${ms} ms` : (e as Error).message;
      throw new HubUnavailableError(`Hugging Face Hub request failed: ${what}`);
    }
  }

  /** GGUF repositories matching `search`, most downloaded first. */
  async listModels(search: string | undefined, limit: number): Promise<HubModel[]> {
    const q = new URLSearchParams({
      filter: 'gguf',
      sort: 'downloads',
      direction: '-1',
      limit: String(limit),
    });
    if (search) q.set('search', search);
    const res = await this.call(`${this.base}/api/models?${q.toString()}`);
    if (!ok(res)) throw unavailable(res);
    const body = readJson(res);
    if (!Array.isArray(body))
      throw new HubUnavailableError('Hugging Face Hub answered an unexpected body');
    return (body as HubModel[]).filter((m) => m && typeof m.id === 'string');
  }

  /**
   * Files of a repository (recursive), or null when the repository does not exist. Large
   * repositories come in pages linked by a `Link: <…>; rel="next"` header; those pages are
   * followed (on the hub's own origin only, at most MAX_TREE_PAGES).
   */
  async listFiles(repo: string): Promise<HubTreeEntry[] | null> {
    const entries: HubTreeEntry[] = [];
    let url: string | null = `${this.base}/api/models/${encodePath(repo)}/tree/main?recursive=true`;
    for (let page = 0; url !== null; page++) {
      if (page === MAX_TREE_PAGES)
        throw new HubUnavailableError(
          `Repository lists more than ${MAX_TREE_PAGES} pages of files`,
        );
      const res = await this.call(url);
      if (page === 0 && isNotFound(res)) return null;
      if (!ok(res)) throw unavailable(res);
      const body = readJson(res);
      if (!Array.isArray(body))
        throw new HubUnavailableError('Hugging Face Hub answered an unexpected body');
      entries.push(...(body as HubTreeEntry[]));
      url = this.nextPage(header(res, 'link'));
    }
    return entries;
  }

  /** The `rel="next"` URL of a Link header, when it points at the configured hub. */
  private nextPage(link: string | null): string | null {
    const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
    if (!next) return null;
    const url = new URL(next, this.base);
    if (url.origin !== new URL(this.base).origin)
      throw new HubUnavailableError('Hugging Face Hub pointed the next page at another host');
    return url.toString();
  }

  /**
   * HEAD of `{base}/{repo}/resolve/main/{file}`. The hub answers LFS files with a redirect to
   * its CDN carrying `x-linked-size`; that answer is enough and the CDN is never called.
   * Relative (same-hub) redirects, used for renamed repositories, are followed.
   */
  async headFile(
    repo: string,
    filename: string,
  ): Promise<{ sizeBytes: number | null; url: string } | null> {
    const url = `${this.base}/${encodePath(repo)}/resolve/main/${encodePath(filename)}`;
    let current = url;
    for (let hop = 0; hop < 5; hop++) {
      const res = await this.call(current, 'HEAD');
      if (isNotFound(res)) return null;
      const linked = sizeHeader(header(res, 'x-linked-size'));
      if (res.status >= 300 && res.status < 400) {
        if (linked != null) return { sizeBytes: linked, url };
        const loc = header(res, 'location');
        if (!loc)
          throw new HubUnavailableError(
            `Hugging Face Hub answered ${res.status} without a location`,
          );
        const next = new URL(loc, current);
        if (next.origin !== new URL(this.base).origin) return { sizeBytes: null, url };
        current = next.toString();
        continue;
      }
      if (!ok(res)) throw unavailable(res);
      return { sizeBytes: linked ?? sizeHeader(header(res, 'content-length')), url };
    }
    throw new HubUnavailableError('Hugging Face Hub redirected too many times');
  }
}

function ok(res: HubResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

function header(res: HubResponse, name: string): string | null {
  const v: unknown = res.headers[name];
  return typeof v === 'string' ? v : null;
}

function isNotFound(res: HubResponse): boolean {
  if (res.status === 404) return true;
  const code = header(res, 'x-error-code');
  return (res.status === 401 || res.status === 403) && code != null && NOT_FOUND_CODES.has(code);
}

function unavailable(res: HubResponse): HubUnavailableError {
  return new HubUnavailableError(`Hugging Face Hub answered ${res.status}`);
}

function sizeHeader(v: string | null): number | null {
  if (v == null || !/^\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

function readJson(res: HubResponse): unknown {
  try {
    return JSON.parse(res.data);
  } catch {
    throw new HubUnavailableError('Hugging Face Hub answered invalid JSON');
  }
}
