import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `null` clears a field; an absent field is left as it is. */
export class NodeSettingsDto {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 255, description: 'null clears' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  custom_name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: [String], maxItems: 32, description: 'null clears' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(64, { each: true })
  tags?: string[] | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 4096,
    description: 'null clears',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  notes?: string | null;
}
