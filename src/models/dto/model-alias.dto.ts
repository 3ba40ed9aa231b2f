import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { ModelAliasEntity } from '../model-alias.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

export class ModelAliasTargetsDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 64,
    example: ['llama3.2:latest', 'meta-llama/Llama-3.2-3B-Instruct'],
    description: 'Model ids served by backends; a request for the alias goes to any of them',
  })
  @Transform(trimAll)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'each target must be a non-empty model id' })
  @MaxLength(512, { each: true })
  targets: string[];
}

export class CreateModelAliasDto extends ModelAliasTargetsDto {
  @ApiProperty({ minLength: 1, maxLength: 512, example: 'chat-small' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty or only spaces' })
  @MaxLength(512)
  alias: string;
}

export class ModelAliasDto {
  @ApiProperty() alias: string;
  @ApiProperty({ type: [String] }) targets: string[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(e: ModelAliasEntity): ModelAliasDto {
    return {
      alias: e.alias,
      targets: [...e.targets],
      created_at: e.createdAt.toISOString(),
      updated_at: e.updatedAt.toISOString(),
    };
  }
}

export class ModelAliasListDto {
  @ApiProperty({ type: [ModelAliasDto] }) aliases: ModelAliasDto[];
  @ApiProperty() total: number;
}
