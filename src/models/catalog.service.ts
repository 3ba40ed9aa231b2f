import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CatalogDto, CatalogItemDto, CatalogQueryDto, RepoFilesDto } from './dto/models.dto';
import { HfHubClient, HubModel, HubUnavailableError } from './hf-hub.client';
import { repoIdProblem } from './hf-names';
import { validationError } from '../common/validation';
import { ModelsRepository } from './models.repository';

interface CacheEntry {
  at: number;
  items: HubModel[];
}

const MAX_CACHE_ENTRIES = 256;

/**
 * The Hugging Face GGUF catalog. Hub answers are cached per (search, window) for
 * LLMLB_HF_CACHE_SECS; identical concurrent misses share one hub call; an expired entry is
 * served with `stale: true` when the hub fails.
 */
@Injectable()
export class CatalogService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<HubModel[]>>();
  /** Hub list calls made (tests and the benchmark read it). */
  hubCalls = 0;

  constructor(
    private readonly hub: HfHubClient,
    private readonly models: ModelsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async available(q: CatalogQueryDto): Promise<CatalogDto> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const search = q.search?.trim() || undefined;
    const window = offset + limit;
    const key = `${search ?? ''}\u0000${window}`;

    let items: HubModel[];
    let cached = false;
    let stale = false;
    const entry = this.cache.get(key);
    if (entry && Date.now() - entry.at < this.config.models.hfCacheSecs * 1000) {
      items = entry.items;
      cached = true;
    } else {
      try {
        items = await this.fetch(key, search, window);
      } catch (e) {
        if (!(e instanceof HubUnavailableError)) throw e;
        if (!entry)
          throw new AppError('catalog_unavailable', `Model catalog is unavailable: ${e.message}`);
        items = entry.items;
        cached = true;
        stale = true;
      }
    }

    const registered = await this.models.findAll();
    const registeredRepos = new Set(registered.map((m) => m.repo.toLowerCase()));
    const needle = search?.toLowerCase();
    const supported = registered
      .filter(
        (m) =>
          !needle || m.repo.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle),
      )
      .map((m) => ({ name: m.name, repo: m.repo, filename: m.filename, size_bytes: m.sizeBytes }));
    const available = items
      .slice(offset, offset + limit)
      .filter((m) => !registeredRepos.has(m.id.toLowerCase()))
      .map(toItem);
    const out: CatalogDto = { supported, available, cached, limit, offset };
    if (stale) out.stale = true;
    return out;
  }

  async files(repo: string): Promise<RepoFilesDto> {
    const problem = repoIdProblem(repo);
    if (problem) throw validationError([{ field: 'repo', message: problem }]);
    let entries;
    try {
      entries = await this.hub.listFiles(repo);
    } catch (e) {
      if (e instanceof HubUnavailableError)
        throw new AppError('catalog_unavailable', `Model catalog is unavailable: ${e.message}`);
      throw e;
    }
    if (!entries)
      throw new AppError('hf_repo_not_found', `Repository ${repo} was not found on Hugging Face`);
    const files = entries
      .filter((f) => f.type === 'file' && /\.gguf$/i.test(f.path))
      .map((f) => ({ filename: f.path, size_bytes: f.lfs?.size ?? f.size ?? null }))
      .sort((a, b) => a.filename.localeCompare(b.filename));
    return { repo, files };
  }

  private fetch(key: string, search: string | undefined, window: number): Promise<HubModel[]> {
    const running = this.inflight.get(key);
    if (running) return running;
    this.hubCalls++;
    const p = this.hub
      .listModels(search, window)
      .then((items) => {
        this.cache.delete(key);
        this.cache.set(key, { at: Date.now(), items });
        if (this.cache.size > MAX_CACHE_ENTRIES)
          this.cache.delete(this.cache.keys().next().value as string);
        return items;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

function toItem(m: HubModel): CatalogItemDto {
  const item: CatalogItemDto = {
    repo: m.id,
    downloads: typeof m.downloads === 'number' ? m.downloads : 0,
    likes: typeof m.likes === 'number' ? m.likes : 0,
    tags: Array.isArray(m.tags) ? m.tags : [],
  };
  if (Array.isArray(m.siblings)) {
    item.gguf_files = m.siblings
      .map((s) => s.rfilename)
      .filter((f) => typeof f === 'string' && /\.gguf$/i.test(f));
  }
  return item;
}
