import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsInt,
  IsIn,
  IsIP,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

import { PULL_MODES, type PullMode } from '../node-state';

export const MAX_GPU_DEVICES = 64;

export class GpuDeviceDto {
  @ApiProperty({ example: 'NVIDIA RTX 4090', description: 'Non-blank' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  model: string;

  @ApiProperty({ example: 2, minimum: 1 }) @IsInt() @Min(1) @Max(1024) count: number;

  @ApiPropertyOptional({
    example: 25769803776,
    minimum: 0,
    description: 'Memory per device in bytes',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  memory_bytes?: number;
}

export class RegisterNodeDto {
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

  @ApiProperty({ example: 'gpu-01', minLength: 1, maxLength: 255 })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  machine_name: string;

  @ApiProperty({ example: '10.0.0.5', description: 'IPv4 or IPv6 address the runtime listens on' })
  @IsString()
  @IsIP(undefined, { message: 'must be an IPv4 or IPv6 address' })
  ip_address: string;

  @ApiProperty({ example: '0.4.2', minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  runtime_version: string;

  @ApiProperty({ example: 32769, minimum: 1, maximum: 65535 })
  @IsInt()
  @Min(1)
  @Max(65535)
  runtime_port: number;

  @ApiProperty({ example: true, description: 'Must be true (else 403 gpu_required)' })
  @IsBoolean()
  @Equals(true, { message: 'must be true' })
  gpu_available: boolean;

  @ApiProperty({
    type: [GpuDeviceDto],
    description: `Non-empty, at most ${MAX_GPU_DEVICES} items (missing or empty → 403 gpu_required)`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_GPU_DEVICES)
  @ValidateNested({ each: true })
  @Type(() => GpuDeviceDto)
  gpu_devices: GpuDeviceDto[];

  @ApiPropertyOptional({ example: 2, minimum: 1, description: 'Default: sum of device counts' })
  @IsOptional()
  @IsInt()
  @Min(1)
  gpu_count?: number;

  @ApiPropertyOptional({
    example: 'NVIDIA RTX 4090',
    description: "Default: the first device's model",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  gpu_model?: string;

  @ApiPropertyOptional({ type: [String], example: ['llama.cpp'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  supported_runtimes?: string[];

  @ApiPropertyOptional({
    enum: PULL_MODES,
    default: 'push',
    description:
      'push: llmlb POSTs pulls to the node; poll: the node (llmlb agent) gets them in heartbeat answers',
  })
  @IsOptional()
  @IsIn(PULL_MODES)
  pull_mode?: PullMode;

  @ApiPropertyOptional({ example: '0.1.0', maxLength: 64, description: 'Version of llmlb agent' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  agent_version?: string;
}

export class RegisterNodeResponseDto {
  @ApiProperty({ format: 'uuid' }) node_id: string;
  @ApiProperty({ enum: ['registered', 'updated'] }) status: 'registered' | 'updated';
  @ApiProperty({
    example: 'nt_0123456789abcdefghijABCDEFGHIJ0123456789',
    description: 'Send as X-Node-Token on every heartbeat; shown only here',
  })
  node_token: string;
}
