import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { conversationKey } from '../routing/affinity';
import type { Backend } from '../routing/backend';
import { RoutingTable, type Route } from '../routing/routing-table.service';
import { Scheduler } from '../routing/scheduler.service';
import { AliasRewrite } from './alias-rewrite';
import { CloudProviders } from './cloud/cloud-providers';
import type { Exchange, ProxyRequest } from './exchange';
import { upstreamBody } from './request-body';
import { OpenAiSseRelay } from './sse';
import type { UpstreamPlan } from './upstream-plan';
import { UpstreamPools } from './upstream-pools';

/**
 * Where the attempts of one request go. `next` gives the next attempt's plan: at once, after
 * waiting in the admission queue (a promise), or null when there is nothing left to try.
 */
export interface Planner {
  readonly maxAttempts: number;
  next(signal: AbortSignal): UpstreamPlan | null | Promise<UpstreamPlan | null>;
}

/** Who is asking, for round-robin fairness in the admission queue. */
function callerOf(req: ProxyRequest): string {
  const p = req.principal;
  if (!p) return 'anonymous';
  if (p.kind === 'api_key') return `k:${p.keyId}`;
  if (p.kind === 'user') return `u:${p.userId}`;
  return `n:${p.nodeId}`;
}

/** A cloud provider model: one attempt, no failover. */
class CloudPlanner implements Planner {
  readonly maxAttempts = 1;
  private given = false;

  constructor(private readonly plan: UpstreamPlan) {}

  next(): UpstreamPlan | null {
    if (this.given) return null;
    this.given = true;
    return this.plan;
  }
}

/** Backends of the routing table, chosen (and their slots taken) by the scheduler. */
class LocalPlanner implements Planner {
  private readonly tried: string[] = [];
  private readonly caller: string;
  private readonly affinityKey: string | null;
  private readonly requestId: string;

  constructor(
    private readonly owner: ProxyPlanner,
    private readonly ex: Exchange,
    private readonly route: Route,
    readonly maxAttempts: number,
  ) {
    const req = ex.req;
    this.caller = callerOf(req);
    this.affinityKey = owner.scheduler.wantsAffinity(route)
      ? conversationKey(req.headers['x-session-id'], ex.parsed.model, ex.parsed.json)
      : null;
    this.requestId = String(req.id);
  }

  next(signal: AbortSignal): UpstreamPlan | null | Promise<UpstreamPlan | null> {
    const got = this.owner.scheduler.acquire({
      route: this.route,
      caller: this.caller,
      affinityKey: this.affinityKey,
      exclude: this.tried,
      signal,
    });
    if (got === null) return null;
    if (got instanceof Promise) return got.then((b) => this.planFor(b));
    return this.planFor(got);
  }

  private planFor(b: Backend): UpstreamPlan {
    this.tried.push(b.id);
    const plan = this.owner.localPlan(b, this.route, this.ex, this.requestId);
    return this.ex.adapt ? this.ex.adapt(plan) : plan;
  }
}

/** Turns a request's model into its attempts: local backends first, else a cloud provider. */
@Injectable()
export class ProxyPlanner {
  constructor(
    private readonly table: RoutingTable,
    readonly scheduler: Scheduler,
    private readonly pools: UpstreamPools,
    private readonly cloud: CloudProviders,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Throws `model_not_found` / `no_healthy_backend` when nothing can serve the model. */
  plan(ex: Exchange): Planner {
    const parsed = ex.parsed;
    const route = this.table.route(parsed.model);
    if (!route) {
      const cloud = this.cloud.resolve(parsed.model);
      if (!cloud)
        throw new AppError(
          'model_not_found',
          `Model "${parsed.model}" is not served by any backend`,
          { param: 'model' },
        );
      ex.modelKnown = true;
      const cloudPlan = this.cloud.plan(cloud, ex.op, parsed, String(ex.req.id));
      return new CloudPlanner(ex.adapt ? ex.adapt(cloudPlan) : cloudPlan);
    }
    ex.modelKnown = true;
    let online = 0;
    for (const b of route.backends) if (b.online) online += 1;
    if (online === 0) {
      throw new AppError('no_healthy_backend', `No online backend serves model "${parsed.model}"`, {
        param: 'model',
      });
    }
    return new LocalPlanner(this, ex, route, Math.min(this.config.proxy.maxAttempts, online));
  }

  /** The plan of one attempt on a local OpenAI-compatible backend. */
  localPlan(b: Backend, route: Route, ex: Exchange, requestId: string): UpstreamPlan {
    const parsed = ex.parsed;
    const target = this.pools.target(b.baseUrl);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: parsed.stream ? 'text/event-stream' : 'application/json',
      'x-request-id': requestId,
    };
    if (b.apiKey) headers.authorization = `Bearer ${b.apiKey}`;
    const backendModel = route.upstreamModel?.get(b.id) ?? parsed.model;
    const alias =
      backendModel !== parsed.model ? new AliasRewrite(backendModel, parsed.model) : null;
    return {
      backend: b,
      id: b.id,
      name: b.name,
      target,
      path: `${target.pathPrefix}/v1/${ex.op}`,
      headers,
      body: upstreamBody(parsed, ex.op, backendModel),
      headersTimeoutMs: b.inferenceTimeoutMs,
      translateJson: alias ? (body) => alias.json(body) : null,
      translateClientError: null,
      createRelay: () => {
        const relay = new OpenAiSseRelay(parsed.stream && !parsed.clientWantsUsage);
        return alias ? alias.relay(relay) : relay;
      },
      streamContentType: 'text/event-stream',
    };
  }
}
