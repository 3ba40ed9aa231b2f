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
import { NODE_STATUSES, type NodeStatus } from '../node-state';

export const MAX_MODELS_PER_LIST = 1000;

/** Progress of one download task the node is running (handed to heartbeat listeners). */
export class HeartbeatTaskDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() task_id: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42 })
  @IsNumber()
  @Min(0)
  @Max(1)
  progress: number;

  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) downloaded_bytes?: number;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) total_bytes?: number;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsNumber() @Min(0) speed_bps?: number;

  @ApiPropertyOptional({ example: 'downloading', description: 'Node-side task status' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  status?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) error?: string;
}

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

export class HeartbeatResponseDto {
  @ApiProperty({ enum: NODE_STATUSES, description: "The node's status after the heartbeat" })
  status: NodeStatus;
}
