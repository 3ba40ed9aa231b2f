import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { TaskDto } from '../tasks/dto/task.dto';
import { NodesService } from '../nodes/nodes.service';
import { RoutingTable } from '../routing/routing-table.service';
import { TaskStore } from '../tasks/task-store.service';
import { ManifestDto, ModelListDto, RegisteredModelDto, RegisterModelDto } from './dto/models.dto';
import { HfHubClient, HubUnavailableError } from './hf-hub.client';
import { defaultModelName } from './hf-names';
import { ModelsRepository } from './models.repository';
import type { RegisteredModelEntity } from './registered-model.entity';

/** Registered models: registration against the hub, listing with locations, manifests. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly repo: ModelsRepository,
    private readonly hub: HfHubClient,
    private readonly tasks: TaskStore,
    private readonly nodes: NodesService,
    private readonly routing: RoutingTable,
  ) {}

  async register(dto: RegisterModelDto): Promise<RegisteredModelDto> {
    const name = dto.display_name?.trim() || defaultModelName(dto.repo, dto.filename);
    if (
      (await this.repo.findByName(name)) ||
      (await this.repo.findByFile(dto.repo, dto.filename))
    ) {
      throw new AppError(
        'model_already_registered',
        `Model ${name} (or this file) is already registered`,
      );
    }
    let head;
    try {
      head = await this.hub.headFile(dto.repo, dto.filename);
    } catch (e) {
      if (e instanceof HubUnavailableError)
        throw new AppError('catalog_unavailable', `Could not verify the file: ${e.message}`);
      throw e;
    }
    if (!head)
      throw new AppError(
        'hf_file_not_found',
        `${dto.filename} was not found in ${dto.repo} on Hugging Face`,
      );
    if (await this.repo.findByName(name)) throw new AppError('model_already_registered');
    const saved = await this.repo.save({
      name,
      repo: dto.repo,
      filename: dto.filename,
      sizeBytes: head.sizeBytes,
      downloadUrl: head.url,
    });
    return toRegistered(saved);
  }

  async list(): Promise<ModelListDto> {
    const models = await this.repo.findAll();
    const online = this.nodes.listOnline();
    // endpoints with their synced models, as the endpoints module keeps them in the routing
    // table; like nodes, only those that can serve the model right now
    const endpoints = this.routing.all().filter((b) => b.kind === 'endpoint' && b.online);
    const active = this.tasks.active();
    return {
      models: models.map((m) => ({
        ...toRegistered(m),
        created_at: m.createdAt.toISOString(),
        nodes: online
          .filter((n) => n.loadedModels.includes(m.name))
          .map((n) => ({ id: n.id, machine_name: n.machineName })),
        endpoints: endpoints
          .filter((b) => b.models.some((x) => x.id === m.name))
          .map((b) => ({ id: b.id, name: b.name })),
        tasks: active.filter((t) => t.model === m.name).map((t) => TaskDto.from(t)),
      })),
      total: models.length,
    };
  }

  async get(name: string): Promise<RegisteredModelEntity> {
    const m = await this.repo.findByName(name);
    if (!m) throw new AppError('model_not_found', `Model ${name} is not registered`);
    return m;
  }

  async delete(name: string): Promise<void> {
    if (!(await this.repo.delete(name)))
      throw new AppError('model_not_found', `Model ${name} is not registered`);
  }

  async manifest(name: string): Promise<ManifestDto> {
    const m = await this.get(name);
    return {
      name: m.name,
      files: [{ filename: m.filename, url: m.downloadUrl, size_bytes: m.sizeBytes }],
    };
  }
}

function toRegistered(m: RegisteredModelEntity): RegisteredModelDto {
  return {
    name: m.name,
    repo: m.repo,
    filename: m.filename,
    size_bytes: m.sizeBytes,
    download_url: m.downloadUrl,
    status: 'registered',
  };
}
