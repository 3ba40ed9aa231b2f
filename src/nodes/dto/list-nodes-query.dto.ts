import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { NODE_STATUSES, type NodeStatus } from '../node-state';

export class ListNodesQueryDto {
  @ApiPropertyOptional({ enum: NODE_STATUSES })
  @IsOptional()
  @IsIn(NODE_STATUSES, { message: `must be one of: ${NODE_STATUSES.join(', ')}` })
  status?: NodeStatus;
}
