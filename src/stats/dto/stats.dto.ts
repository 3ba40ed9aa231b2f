import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { SchedulingDto } from './scheduling.dto';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { RequestRecordEntity } from '../request-record.entity';

export class RequestHistoryQueryDto {
  @ApiPropertyOptional({ description: 'Exact model id as requested' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  model?: string;

  @ApiPropertyOptional({ description: 'Backend (node or endpoint) id, or a cloud provider name' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  backend_id?: string;

  @ApiPropertyOptional({ description: 'HTTP status returned to the client', example: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  status?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound (RFC 3339)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound (RFC 3339)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  per_page?: number;
}

export class RequestHistoryItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty() request_id: string;
  @ApiProperty({ nullable: true, type: String }) api_key_id: string | null;
  @ApiProperty({ nullable: true, type: String }) user_id: string | null;
  @ApiProperty({ example: 'chat/completions' }) operation: string;
  @ApiProperty() model: string;
  @ApiProperty({ nullable: true, type: String }) backend_id: string | null;
  @ApiProperty({ nullable: true, type: String }) backend_name: string | null;
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ nullable: true, type: String }) error_code: string | null;
  @ApiProperty() stream: boolean;
  @ApiProperty() latency_ms: number;
  @ApiProperty({ nullable: true, type: Number }) ttft_ms: number | null;
  @ApiProperty() overhead_ms: number;
  @ApiProperty({ nullable: true, type: Number }) prompt_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number }) completion_tokens: number | null;
  @ApiProperty({ description: 'Backends tried (failover)' }) attempts: number;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Only with LLMLB_HISTORY_BODIES=true',
  })
  request_body?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Only with LLMLB_HISTORY_BODIES=true',
  })
  response_body?: string | null;

  static from(e: RequestRecordEntity): RequestHistoryItemDto {
    const dto: RequestHistoryItemDto = {
      id: e.id,
      created_at: e.createdAt.toISOString(),
      request_id: e.requestId,
      api_key_id: e.apiKeyId,
      user_id: e.userId,
      operation: e.operation,
      model: e.model,
      backend_id: e.backendId,
      backend_name: e.backendName,
      status: e.status,
      error_code: e.errorCode,
      stream: e.stream,
      latency_ms: e.latencyMs,
      ttft_ms: e.ttftMs,
      overhead_ms: e.overheadMs,
      prompt_tokens: e.promptTokens,
      completion_tokens: e.completionTokens,
      attempts: e.attempts,
    };
    if (e.requestBody !== null) dto.request_body = e.requestBody;
    if (e.responseBody !== null) dto.response_body = e.responseBody;
    return dto;
  }
}

export class RequestHistoryListDto {
  @ApiProperty({ type: [RequestHistoryItemDto] }) requests: RequestHistoryItemDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
}

export class StatsTotalsDto {
  @ApiProperty() requests: number;
  @ApiProperty({ description: 'Requests answered with status ≥ 400' }) errors: number;
  @ApiProperty({ description: 'errors / requests (0–1)' }) error_rate: number;
  @ApiProperty() prompt_tokens: number;
  @ApiProperty() completion_tokens: number;
  @ApiProperty({ nullable: true, type: Number }) avg_latency_ms: number | null;
}

export class StatsLastHourDto {
  @ApiProperty() requests: number;
  @ApiProperty() errors: number;
  @ApiProperty() error_rate: number;
  @ApiProperty() requests_per_minute: number;
  @ApiProperty({ nullable: true, type: Number }) p50_latency_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95_latency_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p99_latency_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p50_ttft_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95_ttft_ms: number | null;
}

export class GroupStatsDto {
  @ApiProperty({ description: 'Backend id or model id' }) id: string;
  @ApiProperty({ nullable: true, type: String, description: 'Backend name (null for models)' })
  name: string | null;
  @ApiProperty() requests: number;
  @ApiProperty() errors: number;
  @ApiProperty() error_rate: number;
  @ApiProperty() prompt_tokens: number;
  @ApiProperty() completion_tokens: number;
  @ApiProperty({ nullable: true, type: Number }) avg_latency_ms: number | null;
}

export class MinuteStatsDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the minute' }) minute: string;
  @ApiProperty() requests: number;
  @ApiProperty() errors: number;
  @ApiProperty() prompt_tokens: number;
  @ApiProperty() completion_tokens: number;
  @ApiProperty({ nullable: true, type: Number }) avg_latency_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p50_latency_ms: number | null;
}

export class StatsDto {
  @ApiProperty({
    format: 'date-time',
    description: 'Totals count from this instant (server start)',
  })
  since: string;
  @ApiProperty({ description: 'Requests being proxied right now' }) in_flight: number;
  @ApiProperty({ type: StatsTotalsDto }) totals: StatsTotalsDto;
  @ApiProperty({ type: StatsLastHourDto }) last_hour: StatsLastHourDto;
  @ApiProperty({ type: [GroupStatsDto] }) backends: GroupStatsDto[];
  @ApiProperty({ type: [GroupStatsDto] }) models: GroupStatsDto[];
  @ApiProperty({
    type: [MinuteStatsDto],
    description: '60 entries, oldest first, the current minute last',
  })
  per_minute: MinuteStatsDto[];
  @ApiProperty({
    type: SchedulingDto,
    description: 'Live admission queues and backend slots (what the dashboard shows)',
  })
  scheduling: SchedulingDto;
}
