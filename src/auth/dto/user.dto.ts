import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Role } from '../permissions';
import type { UserEntity } from '../user.entity';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: ['admin', 'viewer'] }) role: Role;
  @ApiPropertyOptional() created_at?: string;

  static from(u: UserEntity): UserDto {
    return { id: u.id, username: u.username, role: u.role, created_at: u.createdAt.toISOString() };
  }
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] }) users: UserDto[];
  @ApiProperty() total: number;
}

export class CreateUserDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9._@-]+$/, { message: 'may contain letters, digits and . _ @ - only' })
  username: string;

  @ApiProperty({ minLength: 8 }) @IsString() @MinLength(8) @MaxLength(256) password: string;

  @ApiProperty({ enum: ['admin', 'viewer'] }) @IsIn(['admin', 'viewer']) role: Role;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 8 })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password?: string;
  @ApiPropertyOptional({ enum: ['admin', 'viewer'] })
  @IsOptional()
  @IsIn(['admin', 'viewer'])
  role?: Role;
}
