import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Every environment variable the server reads, with its rule. Defaults are applied in
 * `load-config.ts`; docs/configuration.md lists the same names.
 */
export class EnvSchema {
  // --- server
  @IsOptional() @IsString() LLMLB_HOST?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) LLMLB_PORT?: number;
  @IsOptional() @IsString() @MinLength(1) LLMLB_DATA_DIR?: string;
  @IsOptional() @IsString() LLMLB_DATABASE_URL?: string;
  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose']) LLMLB_LOG_LEVEL?: string;
  @IsOptional() @IsIn(['json', 'text']) LLMLB_LOG_FORMAT?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) LLMLB_BODY_LIMIT_BYTES?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) LLMLB_PROXY_BODY_LIMIT_BYTES?: number;
  @IsOptional() @IsUrl(URL_OPTS) LLMLB_PUBLIC_URL?: string;
  @IsOptional()
  @Matches(/^(true|false|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/, {
    message: 'must be true, false or a comma-separated list of proxy addresses or CIDRs',
  })
  LLMLB_TRUST_PROXY?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3600) LLMLB_REQUEST_TIMEOUT_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_MAX_CONNECTIONS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3600) LLMLB_SHUTDOWN_GRACE_SECS?: number;

  // --- auth
  @IsOptional() @IsString() @MinLength(1) @MaxLength(64) LLMLB_ADMIN_USERNAME?: string;
  @IsOptional() @IsString() @MinLength(8) LLMLB_ADMIN_PASSWORD?: string;
  @IsOptional() @IsString() @MinLength(16) LLMLB_JWT_SECRET?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_JWT_EXPIRES_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_LOGIN_RATE_LIMIT?: number;
  @IsOptional() @IsString() @MinLength(16) LLMLB_SECRET_KEY?: string;

  // --- nodes
  @IsOptional() @Transform(toBool) @IsBoolean() LLMLB_NODE_REGISTRATION_KEY_REQUIRED?: boolean;
  @IsOptional() @Transform(toBool) @IsBoolean() LLMLB_NODE_REACHABILITY_CHECK?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_NODE_TIMEOUT_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_NODE_MONITOR_INTERVAL_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_NODE_REGISTRATION_RATE_LIMIT?: number;
  @IsOptional()
  @Matches(/^\s*[0-9A-Fa-f.:]+\/\d{1,3}(\s*,\s*[0-9A-Fa-f.:]+\/\d{1,3})*\s*$/, {
    message: 'must be a comma-separated list of CIDRs (e.g. 127.0.0.0/8, fd00::/8)',
  })
  LLMLB_NODE_ALLOWED_NETWORKS?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LLMLB_MAX_PENDING_NODES?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_PENDING_NODE_TTL_HOURS?: number;

  // --- endpoint health
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1024) LLMLB_HEALTH_CONCURRENCY?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(600) LLMLB_HEALTH_TIMEOUT_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_HEALTH_FAILURES_FOR_OFFLINE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(50) LLMLB_HEALTH_TICK_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_HEALTH_OFFLINE_BACKOFF_MAX_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_MODEL_SYNC_INTERVAL_SECS?: number;

  // --- proxy
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10) LLMLB_PROXY_MAX_ATTEMPTS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_PROXY_CONNECT_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_PROXY_IDLE_TIMEOUT_SECS?: number;

  // --- scheduling
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(100000) LLMLB_QUEUE_MAX?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3600) LLMLB_QUEUE_TIMEOUT_SECS?: number;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LLMLB_OUTLIER_CONSECUTIVE_FAILURES?: number;
  @IsOptional() @Transform(toBool) @IsBoolean() LLMLB_AFFINITY?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_AFFINITY_TTL_SECS?: number;
  @IsOptional() @IsUrl(URL_OPTS) OPENAI_BASE_URL?: string;
  @IsOptional() @IsString() OPENAI_API_KEY?: string;
  @IsOptional() @IsUrl(URL_OPTS) GOOGLE_API_BASE_URL?: string;
  @IsOptional() @IsString() GOOGLE_API_KEY?: string;
  @IsOptional() @IsUrl(URL_OPTS) ANTHROPIC_API_BASE_URL?: string;
  @IsOptional() @IsString() ANTHROPIC_API_KEY?: string;

  // --- stats
  @IsOptional() @Transform(toBool) @IsBoolean() LLMLB_HISTORY_BODIES?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) LLMLB_HISTORY_RETENTION_DAYS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(1000) LLMLB_STATS_FLUSH_MS?: number;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LLMLB_STATS_MAX_LABEL_VALUES?: number;

  // --- models and downloads
  @IsOptional() @IsUrl(URL_OPTS) HF_BASE_URL?: string;
  @IsOptional() @IsString() HF_TOKEN?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LLMLB_HF_CACHE_SECS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) LLMLB_HF_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(50) LLMLB_XLLM_POLL_INTERVAL_MS?: number;
}
