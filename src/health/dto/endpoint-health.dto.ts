import { ApiProperty } from '@nestjs/swagger';
import { ENDPOINT_STATUSES, type EndpointStatus } from '../../endpoints/endpoint-types';
import type { EndpointStatusEventEntity } from '../../endpoints/endpoint-status-event.entity';
import type { ProbeRecord } from '../../endpoints/probe-record';

export class StatusEventDto {
  @ApiProperty({ enum: ENDPOINT_STATUSES }) from_status: EndpointStatus;
  @ApiProperty({ enum: ENDPOINT_STATUSES }) to_status: EndpointStatus;
  @ApiProperty({
    example: 'schedule',
    description:
      'registration, schedule, test, update, passive, or ejected / restored (outlier ejection from real traffic; the status does not change)',
  })
  cause: string;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: Number }) latency_ms: number | null;
  @ApiProperty({ format: 'date-time' }) at: string;

  static from(e: EndpointStatusEventEntity): StatusEventDto {
    return {
      from_status: e.fromStatus,
      to_status: e.toStatus,
      cause: e.cause,
      error: e.error,
      latency_ms: e.latencyMs,
      at: e.at.toISOString(),
    };
  }
}

export class ProbeResultDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() success: boolean;
  @ApiProperty({ nullable: true, type: Number }) latency_ms: number | null;
  @ApiProperty() duration_ms: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() cause: string;

  static from(p: ProbeRecord): ProbeResultDto {
    return {
      at: p.at,
      success: p.success,
      latency_ms: p.latencyMs,
      duration_ms: p.durationMs,
      error: p.error,
      cause: p.cause,
    };
  }
}

export class EndpointHealthDto {
  @ApiProperty({ format: 'uuid' }) endpoint_id: string;
  @ApiProperty({ enum: ENDPOINT_STATUSES }) status: EndpointStatus;
  @ApiProperty({
    type: [StatusEventDto],
    description: 'Status transitions, newest first (at most 100)',
  })
  events: StatusEventDto[];
  @ApiProperty({
    type: [ProbeResultDto],
    description: 'Raw probe results since start-up, newest first (at most 20)',
  })
  recent_probes: ProbeResultDto[];
}
