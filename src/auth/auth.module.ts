import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccessPolicyService } from './access-policy.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { GlobalAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { resolveJwtSecret } from './jwt-secret';
import { NodeTokenRegistry } from './node-token.registry';
import { SecretBoxService } from './secret-box.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject spares jsonwebtoken a failing public-key parse on every verify.
        secret: createSecretKey(Buffer.from(resolveJwtSecret(config), 'utf8')),
        signOptions: { algorithm: 'HS256', expiresIn: config.auth.jwtExpiresSecs },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiKeysController],
  providers: [
    UsersRepository,
    ApiKeysRepository,
    UsersService,
    ApiKeysService,
    AuthService,
    AccessPolicyService,
    NodeTokenRegistry,
    SecretBoxService,
    { provide: APP_GUARD, useClass: GlobalAuthGuard },
  ],
  exports: [AccessPolicyService, NodeTokenRegistry, SecretBoxService, ApiKeysService],
})
export class AuthModule {}
