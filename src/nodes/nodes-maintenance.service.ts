import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { judgeStoredGpu } from './gpu-rules';
import { parseLegacyNodes } from './legacy-import';
import { NodesRepository } from './nodes.repository';
import { logText } from '../common/log-text';

export const LEGACY_FILE = 'nodes.json';

export interface LegacyImportReport {
  status: 'none' | 'imported' | 'failed';
  imported: number;
  skipped: number;
  duplicates: number;
  error?: string;
}

export interface StartupReport {
  nodes_loaded: number;
  nodes_repaired: number;
  nodes_removed: number;
  legacy_import: LegacyImportReport;
}

/** Startup work on stored nodes (spec §4.4): the one-time JSON import, then the GPU cleanup. */
@Injectable()
export class NodesMaintenance {
  private readonly logger = new Logger('NodesStartup');
  /** What the last startup did (for logs, tests and diagnostics). */
  lastReport: StartupReport | null = null;

  constructor(
    private readonly nodes: NodesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async runStartup(): Promise<StartupReport> {
    const legacy = await this.importLegacyFile();
    const cleanup = await this.cleanup();
    this.lastReport = { ...cleanup, legacy_import: legacy };
    this.logger.log(
      `nodes startup: nodes_loaded=${cleanup.nodes_loaded} nodes_repaired=${cleanup.nodes_repaired} nodes_removed=${cleanup.nodes_removed}`,
    );
    return this.lastReport;
  }

  /** Deletes stored nodes without valid GPU info; repairs empty devices when gpu_model is known. */
  async cleanup(): Promise<Omit<StartupReport, 'legacy_import'>> {
    const all = await this.nodes.findAll();
    const remove: string[] = [];
    let repaired = 0;
    for (const n of all) {
      const verdict = judgeStoredGpu({
        gpu_available: n.gpuAvailable,
        gpu_devices: n.gpuDevices,
        gpu_model: n.gpuModel,
        gpu_count: n.gpuCount,
      });
      if (verdict.action === 'remove') {
        this.logger.warn(
          `removing node ${n.id} (${logText(n.machineName)} ${n.ipAddress}:${n.runtimePort}): no valid GPU info (${logText(verdict.reason)})`,
        );
        remove.push(n.id);
      } else if (verdict.action === 'repair') {
        this.logger.warn(
          `repairing node ${n.id} (${logText(n.machineName)}): gpu_devices was empty, set to ${verdict.gpuCount} x ${logText(verdict.devices[0].model)}`,
        );
        await this.nodes.update(n.id, {
          gpuDevices: verdict.devices,
          gpuCount: verdict.gpuCount,
          gpuAvailable: true,
        });
        repaired += 1;
      }
    }
    await this.nodes.deleteMany(remove);
    return {
      nodes_loaded: all.length - remove.length,
      nodes_repaired: repaired,
      nodes_removed: remove.length,
    };
  }

  /**
   * Imports `<data dir>/nodes.json` once, in one transaction, then renames it
   * `nodes.json.migrated`. A broken file is left in place and reported; startup continues.
   */
  async importLegacyFile(): Promise<LegacyImportReport> {
    const file = join(this.config.server.dataDir, LEGACY_FILE);
    if (!existsSync(file)) return { status: 'none', imported: 0, skipped: 0, duplicates: 0 };
    try {
      const parsed = parseLegacyNodes(JSON.parse(readFileSync(file, 'utf8')));
      for (const s of parsed.skipped)
        this.logger.warn(`${LEGACY_FILE}: entry ${s.index} skipped: ${logText(s.reason)}`);
      const { inserted, duplicates } = await this.nodes.importMany(parsed.nodes);
      for (const d of duplicates) {
        this.logger.warn(
          `${LEGACY_FILE}: node ${d.id} (${d.ipAddress}:${d.runtimePort}) already stored; skipped`,
        );
      }
      renameSync(file, `${file}.migrated`);
      this.logger.log(
        `${LEGACY_FILE}: imported ${inserted.length} nodes as pending (${parsed.skipped.length} skipped, ${duplicates.length} already stored); renamed to ${LEGACY_FILE}.migrated`,
      );
      return {
        status: 'imported',
        imported: inserted.length,
        skipped: parsed.skipped.length,
        duplicates: duplicates.length,
      };
    } catch (e) {
      const error = (e as Error).message;
      this.logger.error(
        `${LEGACY_FILE} could not be imported and was left in place: ${logText(error)}`,
      );
      return { status: 'failed', imported: 0, skipped: 0, duplicates: 0, error };
    }
  }
}
