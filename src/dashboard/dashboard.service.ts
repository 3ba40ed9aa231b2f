import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { type Asset, loadAssets, resolvePublicDir } from './dashboard.assets';

/** Holds the dashboard's files in memory. */
@Injectable()
export class DashboardService implements OnModuleInit {
  private assets = new Map<string, Asset>();

  onModuleInit(): void {
    const dir = resolvePublicDir();
    this.assets = loadAssets(dir);
    new Logger('Dashboard').debug(`serving ${this.assets.size} files from ${dir}`);
  }

  get(name: string): Asset | undefined {
    return this.assets.get(name);
  }
}
