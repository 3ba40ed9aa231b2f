import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { TaskDto } from '../../tasks/dto/task.dto';
import { ggufFilenameProblem, repoIdProblem } from '../hf-names';

function Checked(problem: (v: string) => string | null, opts?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'hfName',
      target: object.constructor,
      propertyName,
      options: opts,
      validator: {
        validate: (v: unknown) => typeof v === 'string' && problem(v) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? (problem(args.value) ?? 'is invalid')
            : 'must be a string',
      },
    });
}

export class CatalogQueryDto {
  @ApiPropertyOptional({ description: 'Text to search for in repository ids' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 900, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(900)
  offset?: number;
}

export class RegisterModelDto {
  @ApiProperty({
    example: 'TheBloke/Llama-2-7B-GGUF',
    description: 'Hugging Face repository id "owner/name"',
  })
  @IsString()
  @Checked(repoIdProblem)
  repo: string;

  @ApiProperty({
    example: 'llama-2-7b.Q4_K_M.gguf',
    description: 'A .gguf file inside the repository',
  })
  @IsString()
  @Checked(ggufFilenameProblem)
  filename: string;

  @ApiPropertyOptional({
    description: 'Name to register under instead of {repo}/{file} lower-cased',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  display_name?: string;
}

export class RegisteredModelDto {
  @ApiProperty({ example: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m' }) name: string;
  @ApiProperty() repo: string;
  @ApiProperty() filename: string;
  @ApiProperty({ nullable: true, type: Number }) size_bytes: number | null;
  @ApiProperty() download_url: string;
  @ApiProperty({ example: 'registered' }) status: string;
}

export class CatalogItemDto {
  @ApiProperty({ example: 'TheBloke/Llama-2-7B-GGUF' }) repo: string;
  @ApiProperty() downloads: number;
  @ApiProperty() likes: number;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiPropertyOptional({ type: [String] }) gguf_files?: string[];
}

export class SupportedItemDto {
  @ApiProperty() name: string;
  @ApiProperty() repo: string;
  @ApiProperty() filename: string;
  @ApiProperty({ nullable: true, type: Number }) size_bytes: number | null;
}

export class CatalogDto {
  @ApiProperty({ type: [SupportedItemDto], description: 'Registered models (matching the search)' })
  supported: SupportedItemDto[];
  @ApiProperty({
    type: [CatalogItemDto],
    description: 'Hub repositories with no registered model yet',
  })
  available: CatalogItemDto[];
  @ApiProperty({ description: 'Served from the cache' }) cached: boolean;
  @ApiPropertyOptional({
    description: 'Present (true) when the hub failed and an expired cache was served',
  })
  stale?: boolean;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class RepoFileDto {
  @ApiProperty() filename: string;
  @ApiProperty({ nullable: true, type: Number }) size_bytes: number | null;
}

export class RepoFilesDto {
  @ApiProperty() repo: string;
  @ApiProperty({ type: [RepoFileDto] }) files: RepoFileDto[];
}

export class ModelNodeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() machine_name: string;
}

export class ModelEndpointDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class ModelDto extends RegisteredModelDto {
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: [ModelNodeDto], description: 'Online nodes that have it loaded' })
  nodes: ModelNodeDto[];
  @ApiProperty({ type: [ModelEndpointDto], description: 'Endpoints that serve it' })
  endpoints: ModelEndpointDto[];
  @ApiProperty({ type: [TaskDto], description: 'Running download tasks' }) tasks: TaskDto[];
}

export class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) models: ModelDto[];
  @ApiProperty() total: number;
}

export class ManifestFileDto {
  @ApiProperty() filename: string;
  @ApiProperty() url: string;
  @ApiProperty({ nullable: true, type: Number }) size_bytes: number | null;
}

export class ManifestDto {
  @ApiProperty() name: string;
  @ApiProperty({ type: [ManifestFileDto] }) files: ManifestFileDto[];
}
