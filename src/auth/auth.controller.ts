import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/swagger';
import { Authenticated, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, LoginResponseDto, MeResponseDto } from './dto/login.dto';
import { UserDto } from './dto/user.dto';
import { CurrentPrincipal, type Principal } from './principal';

@ApiTags('auth')
@Controller('v0/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Log in with username and password; returns a JWT (24 h)' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(400, 401, 429)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginResponseDto> {
    return this.auth.login(dto, req.ip);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who the credentials belong to, with their permissions' })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiErrors(401)
  me(@CurrentPrincipal() principal: Principal): MeResponseDto {
    return this.auth.me(principal);
  }

  @Post('change-password')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: "Change the logged-in user's password" })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 403)
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangePasswordDto,
  ): Promise<UserDto> {
    return this.auth.changePassword(principal, dto);
  }
}
