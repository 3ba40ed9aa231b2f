import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** The statuses a node may report for its pull; anything else counts as still running. */
export const REPORTED_TASK_STATUSES = ['in_progress', 'completed', 'failed'] as const;
export type ReportedTaskStatus = (typeof REPORTED_TASK_STATUSES)[number];

/**
 * The one shape of a node's progress report of a pull task: the body of
 * `POST /v0/tasks/:id/progress`, and (as HeartbeatTaskDto, with its task id) one item of a
 * heartbeat's `tasks`. Contract: docs/node-api.md "Model pulls".
 */
export class TaskProgressDto {
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  progress: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  downloaded_bytes?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  total_bytes?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'bytes per second' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  speed_bps?: number;

  @ApiPropertyOptional({ enum: REPORTED_TASK_STATUSES })
  @IsOptional()
  @IsIn(REPORTED_TASK_STATUSES)
  status?: ReportedTaskStatus;

  @ApiPropertyOptional({ description: 'Why the pull failed (with status "failed")' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  error?: string;
}

/**
 * One item of a heartbeat's `tasks`: the same report plus its task id. `status` may be the
 * node's own word (e.g. `downloading`); only `completed` and `failed` end the task.
 */
export class HeartbeatTaskDto extends OmitType(TaskProgressDto, ['status'] as const) {
  @ApiProperty({ format: 'uuid' }) @IsUUID() task_id: string;

  @ApiPropertyOptional({ example: 'downloading', description: 'Node-side task status' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  status?: string;
}

export function isReportedStatus(s: unknown): s is ReportedTaskStatus {
  return (REPORTED_TASK_STATUSES as readonly unknown[]).includes(s);
}
