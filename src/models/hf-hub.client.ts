import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { encodePath } from './hf-names';

/** The hub failed (network, timeout, 5xx, unexpected body). */
/** Pages of a repository's file listing followed at most (the hub pages by 1000 files). */
const MAX_TREE_PAGES = 20;

export class HubUnavailableError extends Error {}

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
 * validated names, with a timeout (LLMLB_HF_TIMEOUT_MS) on every call.
 */
@Injectable()
export class HfHubClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get base(): string {
    return this.config.models.hfBaseUrl;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': 'llmlb' };
    if (this.config.models.hfToken) h.authorization = `Bearer ${this.config.models.hfToken}`;
    return h;
  }

  private async call(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        headers: this.headers(),
        signal: AbortSignal.timeout(this.config.models.hfTimeoutMs),
      });
    } catch (e) {
      const err = e as Error;
      const what =
        err.name === 'TimeoutError'
          ? `timed out after ${this.config.models.hfTimeoutMs} ms`
          : err.message;
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
    if (!res.ok) throw await unavailable(res);
    const body = await readJson(res);
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
      if (page === 0 && isNotFound(res)) return discard(res, null);
      if (!res.ok) throw await unavailable(res);
      const body = await readJson(res);
      if (!Array.isArray(body))
        throw new HubUnavailableError('Hugging Face Hub answered an unexpected body');
      entries.push(...(body as HubTreeEntry[]));
      url = this.nextPage(res.headers.get('link'));
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
      const res = await this.call(current, { method: 'HEAD', redirect: 'manual' });
      await discard(res, null);
      if (isNotFound(res)) return null;
      const linked = sizeHeader(res.headers.get('x-linked-size'));
      if (res.status >= 300 && res.status < 400) {
        if (linked != null) return { sizeBytes: linked, url };
        const loc = res.headers.get('location');
        if (!loc)
          throw new HubUnavailableError(
            `Hugging Face Hub answered ${res.status} without a location`,
          );
        const next = new URL(loc, current);
        if (next.origin !== new URL(this.base).origin) return { sizeBytes: null, url };
        current = next.toString();
        continue;
      }
      if (!res.ok) throw new HubUnavailableError(`Hugging Face Hub answered ${res.status}`);
      return { sizeBytes: linked ?? sizeHeader(res.headers.get('content-length')), url };
    }
    throw new HubUnavailableError('Hugging Face Hub redirected too many times');
  }
}

function isNotFound(res: Response): boolean {
  if (res.status === 404) return true;
  const code = res.headers.get('x-error-code');
  return (res.status === 401 || res.status === 403) && code != null && NOT_FOUND_CODES.has(code);
}

/** Releases the connection of a response whose body is not needed. */
async function discard<T>(res: Response, value: T): Promise<T> {
  await res.body?.cancel().catch(() => undefined);
  return value;
}

async function unavailable(res: Response): Promise<HubUnavailableError> {
  return discard(res, new HubUnavailableError(`Hugging Face Hub answered ${res.status}`));
}

function sizeHeader(v: string | null): number | null {
  if (v == null || !/^\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new HubUnavailableError('Hugging Face Hub answered invalid JSON');
  }
}
