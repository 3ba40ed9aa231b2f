'use strict';
// Fastify vs Express under NestJS for a trivial JSON route (the evidence behind ADR 0002).
// Usage: npm run bench:platform   (needs @nestjs/platform-express, a dev dependency)
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { ExpressAdapter } = require('@nestjs/platform-express');
const { load, getJson, table, fmt } = require('./lib');

class PingController {
  ping() {
    return { status: 'ok' };
  }
}
Controller()(PingController);
Get('ping')(
  PingController.prototype,
  'ping',
  Object.getOwnPropertyDescriptor(PingController.prototype, 'ping'),
);
class PingModule {}
Module({ controllers: [PingController] })(PingModule);

async function measure(name, adapter) {
  const app = await NestFactory.create(PingModule, adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const url = `http://127.0.0.1:${port}/ping`;
  const rows = [];
  for (const concurrency of [1, 16]) {
    const r = await load({ concurrency, durationMs: 4000, send: (d) => getJson(d, url) });
    rows.push({
      platform: name,
      concurrency,
      'req/s': fmt(r.rps, 0),
      'p50 ms': fmt(r.p50, 3),
      'p99 ms': fmt(r.p99, 3),
      errors: r.errors,
    });
  }
  await app.close();
  return rows;
}

(async () => {
  const rows = [
    ...(await measure('fastify', new FastifyAdapter())),
    ...(await measure('express', new ExpressAdapter())),
  ];
  console.log(table(rows));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
