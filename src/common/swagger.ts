import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'base_url' }) field: string;
  @ApiProperty({ example: 'must be a URL' }) message: string;
}

export class ErrorObjectDto {
  @ApiProperty() message: string;
  @ApiProperty({ example: 'invalid_request_error' }) type: string;
  @ApiProperty({ example: 'validation_failed', description: 'Stable code; see docs/errors.md' })
  code: string;
  @ApiProperty({ nullable: true, type: String }) param: string | null;
  @ApiPropertyOptional({ type: [ErrorDetailDto] }) details?: ErrorDetailDto[];
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorObjectDto }) error: ErrorObjectDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation_failed, invalid_json, …)',
  401: 'Missing or invalid credentials',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  429: 'Rate limited',
  502: 'Backend failed',
  503: 'No healthy backend',
  504: 'Backend timed out',
};

/** Documents error responses (the one error shape) for the given statuses. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponseDto }),
    ),
  );
}
