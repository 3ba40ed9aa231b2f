import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

export class NodeDownloadDto {
  @ApiProperty({
    description: 'Registered model name',
    example: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  model: string;

  @ApiProperty({ enum: ['all', 'specific'] })
  @IsIn(['all', 'specific'])
  target: 'all' | 'specific';

  @ApiPropertyOptional({ type: [String], description: 'Required when target is "specific"' })
  @ValidateIf((o: NodeDownloadDto) => o.target === 'specific' || o.node_ids !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  node_ids?: string[];
}

export class TaskQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] })
  @IsOptional()
  @IsIn(['pending', 'in_progress', 'completed', 'failed', 'cancelled'])
  status?: 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  node_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  endpoint_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class EndpointDownloadDto {
  @ApiProperty({
    example: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
    description: 'Model to download (backend naming)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  model: string;

  @ApiPropertyOptional({
    example: 'qwen2.5-7b-instruct-q4_k_m.gguf',
    description: 'File to download (xLLM)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  filename?: string;
}

export class EndpointDownloadProgressItemDto {
  @ApiProperty({ format: 'uuid' }) task_id: string;
  @ApiProperty() model: string;
  @ApiProperty({ nullable: true, type: String }) filename: string | null;
  @ApiProperty({ description: 'percent 0–100', example: 45.2 }) progress: number;
  @ApiProperty({ nullable: true, type: Number, description: 'megabits per second' }) speed_mbps:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) eta_seconds: number | null;
  @ApiProperty({ enum: ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] })
  status: string;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
}

export class EndpointDownloadProgressDto {
  @ApiProperty({ format: 'uuid' }) endpoint_id: string;
  @ApiProperty({ type: [EndpointDownloadProgressItemDto] })
  tasks: EndpointDownloadProgressItemDto[];
}
