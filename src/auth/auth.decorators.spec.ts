import 'reflect-metadata';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { AUTH_POLICY, Public, RequirePermission, ROUTE_AUTH_POLICY } from './auth.decorators';

const routePolicy = (fn: unknown) =>
  (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, fn as object) ?? {})[ROUTE_AUTH_POLICY];

describe('auth policy decorators', () => {
  @RequirePermission('users.manage')
  class Ctl {
    list(): void {}
    @Public()
    open(): void {}
  }

  it('copy a class policy into the Fastify route config of every handler', () => {
    expect(routePolicy(Ctl.prototype.list)).toEqual({
      kind: 'permission',
      permission: 'users.manage',
    });
    expect(Reflect.getMetadata(AUTH_POLICY, Ctl)).toEqual(routePolicy(Ctl.prototype.list));
  });

  it('keep a method policy over the class one, as the guard does', () => {
    expect(routePolicy(Ctl.prototype.open)).toEqual({ kind: 'public' });
    expect(Reflect.getMetadata(AUTH_POLICY, Ctl.prototype.open)).toEqual({ kind: 'public' });
  });
});
