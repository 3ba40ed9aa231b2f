import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig } from './app-config';
import { EnvSchema } from './env.schema';

export class ConfigError extends Error {}

function firstMessage(err: ValidationError): string {
  const c = err.constraints ?? {};
  const msg = Object.values(c)[0] ?? 'is invalid';
  return msg.replace(new RegExp(`^${err.property}\\s*`), '');
}

function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(p);
}

function parseDatabaseUrl(url: string | undefined, dataDir: string): AppConfig['database'] {
  if (!url) return { type: 'sqlite', path: join(dataDir, 'llmlb.db') };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!rest) throw new ConfigError('LLMLB_DATABASE_URL: sqlite URL needs a file path');
    return { type: 'sqlite', path: rest === ':memory:' ? rest : expandHome(rest) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(
      'LLMLB_DATABASE_URL: PostgreSQL is not supported by this build yet; use sqlite:<path>',
    );
  }
  throw new ConfigError('LLMLB_DATABASE_URL: must start with sqlite:');
}

function parseTrustProxy(v: string | undefined): boolean | string[] {
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  return v.split(',').map((s) => s.trim());
}

/** `LLMLB_NODE_ALLOWED_NETWORKS`: CIDRs with a valid address and prefix length. */
function parseNetworks(v: string | undefined): string[] {
  if (!v) return [];
  return v.split(',').map((s) => {
    const cidr = s.trim();
    const [addr, bits] = cidr.split('/');
    const family = isIP(addr);
    if (!family || Number(bits) > (family === 4 ? 32 : 128))
      throw new ConfigError(`LLMLB_NODE_ALLOWED_NETWORKS: "${cidr}" is not a valid CIDR`);
    return cidr;
  });
}

/** LLMLB_LOG_FORMAT, else JSON in production (NODE_ENV=production) or when not on a terminal. */
function logFormat(
  explicit: string | undefined,
  nodeEnv: string | undefined,
  stdoutIsTty = process.stdout.isTTY === true,
): AppConfig['server']['logFormat'] {
  if (explicit === 'json' || explicit === 'text') return explicit;
  return nodeEnv === 'production' || !stdoutIsTty ? 'json' : 'text';
}

const str = (v: string | undefined): string | null => (v && v.length > 0 ? v : null);

/**
 * Validates the environment and builds the typed configuration. A bad value throws a
 * ConfigError whose message names the variable.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts: { stdoutIsTty?: boolean } = {},
): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new EnvSchema()).concat(Object.keys(env))) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = plainToInstance(EnvSchema, raw);
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}=${JSON.stringify(raw[e.property])}: ${firstMessage(e)}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed;
  const dataDir = expandHome(e.LLMLB_DATA_DIR ?? '~/.llmlb');
  return {
    server: {
      host: e.LLMLB_HOST ?? '0.0.0.0',
      port: e.LLMLB_PORT ?? 32768,
      dataDir,
      logLevel: (e.LLMLB_LOG_LEVEL as AppConfig['server']['logLevel']) ?? 'log',
      logFormat: logFormat(e.LLMLB_LOG_FORMAT, env.NODE_ENV, opts.stdoutIsTty),
      bodyLimitBytes: e.LLMLB_BODY_LIMIT_BYTES ?? 1024 * 1024,
      proxyBodyLimitBytes: e.LLMLB_PROXY_BODY_LIMIT_BYTES ?? 20 * 1024 * 1024,
      publicUrl: str(e.LLMLB_PUBLIC_URL)?.replace(/\/+$/, '') ?? null,
      trustProxy: parseTrustProxy(e.LLMLB_TRUST_PROXY),
      requestTimeoutSecs: e.LLMLB_REQUEST_TIMEOUT_SECS ?? 60,
      maxConnections: e.LLMLB_MAX_CONNECTIONS ?? 10000,
      shutdownGraceSecs: e.LLMLB_SHUTDOWN_GRACE_SECS ?? 30,
    },
    database: parseDatabaseUrl(e.LLMLB_DATABASE_URL, dataDir),
    auth: {
      adminUsername: e.LLMLB_ADMIN_USERNAME ?? 'admin',
      adminPassword: str(e.LLMLB_ADMIN_PASSWORD),
      jwtSecret: str(e.LLMLB_JWT_SECRET),
      jwtExpiresSecs: e.LLMLB_JWT_EXPIRES_SECS ?? 24 * 3600,
      loginRateLimitPerMinute: e.LLMLB_LOGIN_RATE_LIMIT ?? 10,
      secretKey: str(e.LLMLB_SECRET_KEY),
    },
    nodes: {
      registrationKeyRequired: e.LLMLB_NODE_REGISTRATION_KEY_REQUIRED ?? false,
      reachabilityCheck: e.LLMLB_NODE_REACHABILITY_CHECK ?? true,
      timeoutSecs: e.LLMLB_NODE_TIMEOUT_SECS ?? 60,
      monitorIntervalSecs: e.LLMLB_NODE_MONITOR_INTERVAL_SECS ?? 5,
      registrationRateLimitPerMinute: e.LLMLB_NODE_REGISTRATION_RATE_LIMIT ?? 120,
      allowedNetworks: parseNetworks(e.LLMLB_NODE_ALLOWED_NETWORKS),
      maxPending: e.LLMLB_MAX_PENDING_NODES ?? 100,
      pendingTtlHours: e.LLMLB_PENDING_NODE_TTL_HOURS ?? 72,
    },
    health: {
      concurrency: e.LLMLB_HEALTH_CONCURRENCY ?? 32,
      timeoutSecs: e.LLMLB_HEALTH_TIMEOUT_SECS ?? 5,
      failuresForOffline: e.LLMLB_HEALTH_FAILURES_FOR_OFFLINE ?? 2,
      tickMs: e.LLMLB_HEALTH_TICK_MS ?? 1000,
      offlineBackoffMaxSecs: e.LLMLB_HEALTH_OFFLINE_BACKOFF_MAX_SECS ?? 60,
      modelSyncIntervalSecs: e.LLMLB_MODEL_SYNC_INTERVAL_SECS ?? 300,
    },
    scheduling: {
      queueMax: e.LLMLB_QUEUE_MAX ?? 100,
      queueTimeoutSecs: e.LLMLB_QUEUE_TIMEOUT_SECS ?? 60,
      outlierConsecutiveFailures: e.LLMLB_OUTLIER_CONSECUTIVE_FAILURES ?? 5,
      affinity: e.LLMLB_AFFINITY ?? true,
      affinityTtlSecs: e.LLMLB_AFFINITY_TTL_SECS ?? 600,
    },
    proxy: {
      maxAttempts: e.LLMLB_PROXY_MAX_ATTEMPTS ?? 3,
      connectTimeoutMs: e.LLMLB_PROXY_CONNECT_TIMEOUT_MS ?? 3000,
      idleTimeoutSecs: e.LLMLB_PROXY_IDLE_TIMEOUT_SECS ?? 120,
      providers: {
        openai: {
          baseUrl: (e.OPENAI_BASE_URL ?? 'https://api.openai.com').replace(/\/+$/, ''),
          apiKey: str(e.OPENAI_API_KEY),
        },
        google: {
          baseUrl: (e.GOOGLE_API_BASE_URL ?? 'https://generativelanguage.googleapis.com').replace(
            /\/+$/,
            '',
          ),
          apiKey: str(e.GOOGLE_API_KEY),
        },
        anthropic: {
          baseUrl: (e.ANTHROPIC_API_BASE_URL ?? 'https://api.anthropic.com').replace(/\/+$/, ''),
          apiKey: str(e.ANTHROPIC_API_KEY),
        },
      },
    },
    stats: {
      historyBodies: e.LLMLB_HISTORY_BODIES ?? false,
      retentionDays: e.LLMLB_HISTORY_RETENTION_DAYS ?? 7,
      flushMs: e.LLMLB_STATS_FLUSH_MS ?? 1000,
      maxLabelValues: e.LLMLB_STATS_MAX_LABEL_VALUES ?? 1000,
    },
    models: {
      hfBaseUrl: (e.HF_BASE_URL ?? 'https://huggingface.co').replace(/\/+$/, ''),
      hfToken: str(e.HF_TOKEN),
      hfCacheSecs: e.LLMLB_HF_CACHE_SECS ?? 600,
      hfTimeoutMs: e.LLMLB_HF_TIMEOUT_MS ?? 10000,
      xllmPollIntervalMs: e.LLMLB_XLLM_POLL_INTERVAL_MS ?? 2000,
    },
  };
}
