import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import type { EndpointModelEntity } from '../endpoint-model.entity';
import type { EndpointEntity } from '../endpoint.entity';
import {
  ENDPOINT_STATUSES,
  ENDPOINT_TYPES,
  SETTABLE_ENDPOINT_TYPES,
  TYPE_SOURCES,
  type EndpointStatus,
  type EndpointType,
  type TypeSource,
} from '../endpoint-types';
import { baseUrlProblem } from '../endpoint-url';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** http(s) URL without credentials, query or fragment (see endpoint-url.ts). */
function IsBackendUrl(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isBackendUrl',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => baseUrlProblem(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? 'base_url'} ${baseUrlProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}

export class CreateEndpointDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'gpu-box-ollama' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty or only spaces' })
  @MaxLength(100)
  name: string;

  @ApiProperty({
    example: 'http://10.0.0.5:11434',
    description: 'http(s) only; no credentials in the URL',
  })
  @IsString()
  @IsBackendUrl()
  base_url: string;

  @ApiPropertyOptional({
    description: 'Sent to the backend as Bearer; stored encrypted, never returned',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  api_key?: string;

  @ApiPropertyOptional({
    enum: SETTABLE_ENDPOINT_TYPES,
    description: 'Manual type; skips detection',
  })
  @IsOptional()
  @IsIn(SETTABLE_ENDPOINT_TYPES, {
    message: `must be one of: ${SETTABLE_ENDPOINT_TYPES.join(', ')}`,
  })
  endpoint_type?: Exclude<EndpointType, 'unknown'>;

  @ApiPropertyOptional({ minimum: 10, maximum: 300, default: 30 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(300)
  health_check_interval_secs?: number;

  @ApiPropertyOptional({ minimum: 10, maximum: 600, default: 120 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(600)
  inference_timeout_secs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: 100000,
    description:
      'Requests sent to the backend at once; null = automatic (llama.cpp total_slots, else unlimited)',
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt()
  @Min(1)
  @Max(100000)
  max_concurrency?: number | null;
}

export class UpdateEndpointDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty or only spaces' })
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ description: 'A new URL re-detects the type (unless it was set by hand)' })
  @IsOptional()
  @IsString()
  @IsBackendUrl()
  base_url?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'null or "" removes the key. A base_url with another scheme, host or port drops the stored key unless a new one is given here',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  api_key?: string | null;

  @ApiPropertyOptional({
    enum: SETTABLE_ENDPOINT_TYPES,
    nullable: true,
    description: 'Manual type; null returns to automatic detection',
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsIn(SETTABLE_ENDPOINT_TYPES, {
    message: `must be one of: ${SETTABLE_ENDPOINT_TYPES.join(', ')}`,
  })
  endpoint_type?: Exclude<EndpointType, 'unknown'> | null;

  @ApiPropertyOptional({ minimum: 10, maximum: 300 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(300)
  health_check_interval_secs?: number;

  @ApiPropertyOptional({ minimum: 10, maximum: 600 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(600)
  inference_timeout_secs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: 100000,
    description:
      'Requests sent to the backend at once; null = automatic (llama.cpp total_slots, else unlimited)',
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt()
  @Min(1)
  @Max(100000)
  max_concurrency?: number | null;
}

export class ListEndpointsQueryDto {
  @ApiPropertyOptional({ enum: ENDPOINT_TYPES })
  @IsOptional()
  @IsIn(ENDPOINT_TYPES, { message: `must be one of: ${ENDPOINT_TYPES.join(', ')}` })
  type?: EndpointType;

  @ApiPropertyOptional({ enum: ENDPOINT_STATUSES })
  @IsOptional()
  @IsIn(ENDPOINT_STATUSES, { message: `must be one of: ${ENDPOINT_STATUSES.join(', ')}` })
  status?: EndpointStatus;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export class EndpointDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'http://10.0.0.5:11434' }) base_url: string;
  @ApiProperty({ enum: ENDPOINT_TYPES }) endpoint_type: EndpointType;
  @ApiProperty({ enum: TYPE_SOURCES }) type_source: TypeSource;
  @ApiProperty({ enum: ENDPOINT_STATUSES }) status: EndpointStatus;
  @ApiProperty() enabled: boolean;
  @ApiProperty() priority: number;
  @ApiProperty() health_check_interval_secs: number;
  @ApiProperty() inference_timeout_secs: number;
  @ApiProperty({ nullable: true, type: Number }) latency_ms: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_checked_at:
    string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_online_at: string | null;
  @ApiProperty({ nullable: true, type: String }) last_error: string | null;
  @ApiProperty() consecutive_failures: number;
  @ApiProperty() model_count: number;
  @ApiProperty({ format: 'date-time' }) registered_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({
    description: 'Whether a backend key is stored (the key itself is never returned)',
  })
  has_api_key: boolean;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Slot setting (requests at once); null = automatic',
  })
  max_concurrency: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Slots the backend reports (llama.cpp /props total_slots)',
  })
  detected_max_concurrency: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'The capacity llmlb enforces: the setting, else the detected slots; null = unlimited',
  })
  effective_max_concurrency: number | null;

  static from(e: EndpointEntity, modelCount: number): EndpointDto {
    return {
      id: e.id,
      name: e.name,
      base_url: e.baseUrl,
      endpoint_type: e.endpointType,
      type_source: e.typeSource,
      status: e.status,
      enabled: e.enabled,
      priority: e.priority,
      health_check_interval_secs: e.healthCheckIntervalSecs,
      inference_timeout_secs: e.inferenceTimeoutSecs,
      latency_ms: e.latencyMs,
      last_checked_at: iso(e.lastCheckedAt),
      last_online_at: iso(e.lastOnlineAt),
      last_error: e.lastError,
      consecutive_failures: e.consecutiveFailures,
      model_count: modelCount,
      registered_at: e.registeredAt.toISOString(),
      updated_at: e.updatedAt.toISOString(),
      notes: e.notes,
      has_api_key: e.apiKeyEncrypted !== null,
      max_concurrency: e.maxConcurrency,
      detected_max_concurrency: e.detectedMaxConcurrency,
      effective_max_concurrency: e.maxConcurrency ?? e.detectedMaxConcurrency ?? null,
    };
  }
}

export class EndpointModelDto {
  @ApiProperty({ example: 'llama3.2:latest' }) id: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Context length when the backend tells it',
  })
  max_tokens: number | null;
  @ApiProperty({ type: [String], example: ['chat'] }) capabilities: string[];
  @ApiProperty({ format: 'date-time' }) last_synced_at: string;

  static from(m: EndpointModelEntity): EndpointModelDto {
    return {
      id: m.modelId,
      max_tokens: m.maxTokens,
      capabilities: m.capabilities,
      last_synced_at: m.lastSyncedAt.toISOString(),
    };
  }
}

export class EndpointDetailDto extends EndpointDto {
  @ApiProperty({ type: [EndpointModelDto] }) models: EndpointModelDto[];
}

export class EndpointListDto {
  @ApiProperty({ type: [EndpointDto] }) endpoints: EndpointDto[];
  @ApiProperty() total: number;
}

export class EndpointModelListDto {
  @ApiProperty({ format: 'uuid' }) endpoint_id: string;
  @ApiProperty({ type: [EndpointModelDto] }) models: EndpointModelDto[];
  @ApiProperty() total: number;
}

export class EndpointTestResultDto {
  @ApiProperty() success: boolean;
  @ApiProperty({ nullable: true, type: Number }) latency_ms: number | null;
  @ApiProperty({ enum: ENDPOINT_TYPES }) endpoint_type: EndpointType;
  @ApiProperty({ nullable: true, type: Number }) models_found: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class SyncResultDto {
  @ApiProperty() added: number;
  @ApiProperty() removed: number;
  @ApiProperty() updated: number;
  @ApiProperty({ type: [EndpointModelDto] }) models: EndpointModelDto[];
}

export class ModelInfoDto {
  @ApiProperty() model: string;
  @ApiProperty({ format: 'uuid' }) endpoint_id: string;
  @ApiProperty({ nullable: true, type: Number }) max_tokens: number | null;
}
