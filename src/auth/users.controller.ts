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
import { CurrentPrincipal, type Principal } from './principal';
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
  @ApiOperation({
    summary: 'Create a user (an admin only by an admin signed in with a password)',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return this.users.create(dto, principal);
  }

  @Put(':id')
  @ApiOperation({
    summary:
      "Change a user's role or password (the last admin cannot be demoted; promoting to admin " +
      "or setting another user's password needs an admin signed in with a password)",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 403, 404, 409)
  update(
    @UuidParam() id: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserDto> {
    return this.users.update(id, dto, principal);
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
