/** CPU and memory use of the machine, in percent, for heartbeats. */
import { cpus, freemem, totalmem } from 'node:os';

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
  }
  return { idle, total };
}

export class SystemStats {
  private last = cpuTimes();

  /** CPU use since the previous call (0–100). */
  cpuUsage(): number {
    const now = cpuTimes();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    if (total <= 0) return 0;
    return round(100 * (1 - idle / total));
  }

  memoryUsage(): number {
    const total = totalmem();
    return total > 0 ? round(100 * (1 - freemem() / total)) : 0;
  }
}

function round(v: number): number {
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}
