import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import { RequirePermission } from './auth.decorators';
import { CreateUserDto, UpdateUserDto, UserDto, UserListDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('v0/users')
@RequirePermission('users.manage')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserListDto })
  @ApiErrors(401, 403)
  list(): Promise<UserListDto> {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Put(':id')
  @ApiOperation({ summary: "Change a user's role or password (the last admin cannot be demoted)" })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 403, 404, 409)
  update(@UuidParam() id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user (not the last admin)' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, 409)
  async remove(@UuidParam() id: string): Promise<void> {
    await this.users.delete(id);
  }
}
