import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

/** The web dashboard at `/dashboard`: static ES modules and CSS, no build step. */
@Module({ controllers: [DashboardController], providers: [DashboardService] })
export class DashboardModule {}
