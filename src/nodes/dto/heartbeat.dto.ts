import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HeartbeatTaskDto } from '../../tasks/dto/task-progress.dto';
import { NODE_STATUSES, type NodeStatus } from '../node-state';

export const MAX_MODELS_PER_LIST = 1000;

export class HeartbeatDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Must be the node of the token when given' })
  @IsOptional()
  @IsUUID()
  node_id?: string;

  @ApiProperty({ minimum: 0, maximum: 100 }) @IsNumber() @Min(0) @Max(100) cpu_usage: number;
  @ApiProperty({ minimum: 0, maximum: 100 }) @IsNumber() @Min(0) @Max(100) memory_usage: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  gpu_usage?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  gpu_memory_usage?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  gpu_memory_used_bytes?: number;
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  gpu_memory_total_bytes?: number;
  @ApiPropertyOptional({ description: '°C' })
  @IsOptional()
  @IsNumber()
  @Min(-100)
  @Max(200)
  gpu_temperature?: number;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) active_requests?: number;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100000,
    description: 'Requests the runtime serves at once (its slots); llmlb never sends more',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  max_concurrency?: number;
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  average_response_time_ms?: number;

  @ApiPropertyOptional({ type: [String], example: ['llama-3.1-8b-instruct'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MODELS_PER_LIST)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  loaded_models?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MODELS_PER_LIST)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  loaded_embedding_models?: string[];

  @ApiPropertyOptional({
    type: [Number],
    minItems: 2,
    maxItems: 2,
    example: [2, 3],
    description: '[ready, total] models',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2)
  @IsInt({ each: true })
  @Min(0, { each: true })
  ready_models?: [number, number];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() initializing?: boolean;

  @ApiPropertyOptional({
    type: [HeartbeatTaskDto],
    description: 'Download tasks in progress on the node',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => HeartbeatTaskDto)
  tasks?: HeartbeatTaskDto[];
}

/** A pull waiting for a `poll`-mode node (the same object push-mode nodes get POSTed). */
export class PullOrderDto {
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty({ example: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m' }) model: string;
  @ApiProperty({
    description:
      "The model's manifest (fetch with X-Node-Token); a path when llmlb does not know its public URL, relative to the server URL",
  })
  manifest_url: string;
}

export class HeartbeatResponseDto {
  @ApiProperty({ enum: NODE_STATUSES, description: "The node's status after the heartbeat" })
  status: NodeStatus;

  @ApiProperty({
    type: [PullOrderDto],
    description: 'Pulls waiting for a poll-mode node until it reports progress; [] otherwise',
  })
  tasks: PullOrderDto[];
}
