import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { EndpointStatusEventEntity } from './endpoint-status-event.entity';

@Injectable()
export class EndpointStatusEventsRepository {
  constructor(
    @InjectRepository(EndpointStatusEventEntity)
    private readonly repo: Repository<EndpointStatusEventEntity>,
  ) {}

  async insert(event: Omit<EndpointStatusEventEntity, 'id' | 'at' | 'endpoint'>): Promise<void> {
    await this.repo.insert(event);
  }

  /** Newest first. */
  forEndpoint(endpointId: string, limit = 100): Promise<EndpointStatusEventEntity[]> {
    return this.repo.find({ where: { endpointId }, order: { id: 'DESC' }, take: limit });
  }
}
