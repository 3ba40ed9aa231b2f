import { Injectable, OnModuleInit } from '@nestjs/common';
import { TaskStore } from '../tasks/task-store.service';
import { EndpointHealthService } from '../health/endpoint-health.service';
import { NodesService } from '../nodes/nodes.service';
import { MetricsService } from '../stats/metrics.service';

const NODE_STATUSES = ['pending', 'registering', 'online', 'offline'] as const;
const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;

/**
 * Feeds the Prometheus registry with what the fleet modules know: node counts by status,
 * task counts by status (both read just before a scrape) and the duration of every endpoint
 * health probe (as it happens). Lives apart from the stats module so that the proxy's
 * dependency on stats does not pull in the whole fleet.
 */
@Injectable()
export class FleetMetricsService implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly nodes: NodesService,
    private readonly tasks: TaskStore,
    private readonly health: EndpointHealthService,
  ) {}

  onModuleInit(): void {
    this.health.onProbe((_id, probe) => this.metrics.observeProbe(probe.durationMs, probe.success));
    this.metrics.addCollector(() => this.collectNodes());
    this.metrics.addCollector(() => this.collectTasks());
  }

  collectNodes(): void {
    const counts: Record<string, number> = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0]));
    for (const n of this.nodes.list().nodes) counts[n.status] = (counts[n.status] ?? 0) + 1;
    this.metrics.setNodeCounts(counts);
  }

  async collectTasks(): Promise<void> {
    const entries = await Promise.all(
      TASK_STATUSES.map(async (status) => [status, await this.tasks.count({ status })] as const),
    );
    this.metrics.setTaskCounts(Object.fromEntries(entries));
  }
}
