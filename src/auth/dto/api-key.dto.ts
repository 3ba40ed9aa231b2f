import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PERMISSIONS, type Permission } from '../permissions';
import type { ApiKeyEntity } from '../api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'my-app' }) @IsString() @MinLength(1) @MaxLength(100) name: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true, example: ['inference', 'models.read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, {
    each: true,
    message: `each value must be one of: ${PERMISSIONS.join(', ')}`,
  })
  permissions: Permission[];

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'RFC 3339; omit for a key that never expires',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'sk_AbC1' }) key_prefix: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions: Permission[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;

  static from(k: ApiKeyEntity): ApiKeyDto {
    return {
      id: k.id,
      name: k.name,
      key_prefix: k.keyPrefix,
      permissions: k.permissions,
      expires_at: k.expiresAt ? k.expiresAt.toISOString() : null,
      created_at: k.createdAt.toISOString(),
      created_by: k.createdBy,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The plaintext key; shown only in this response', example: 'sk_…' })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) api_keys: ApiKeyDto[];
  @ApiProperty() total: number;
}
