/** The typed, validated configuration. Built once by `loadConfig` from the environment. */
export interface AppConfig {
  server: {
    host: string;
    port: number;
    dataDir: string;
    logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
    /** One JSON object per line (production) or Nest's readable lines (a terminal). */
    logFormat: 'json' | 'text';
    bodyLimitBytes: number;
    proxyBodyLimitBytes: number;
    /** Base URL nodes use to reach this server (manifests). */
    publicUrl: string | null;
    /**
     * Which reverse proxies' X-Forwarded-For to believe for the client address (rate limits):
     * false (none), true (any), or proxy addresses / CIDRs.
     */
    trustProxy: boolean | string[];
    /** Longest time to receive one request (headers and body), not to stream its response. */
    requestTimeoutSecs: number;
    /** Open connections accepted at once; more are closed at once. */
    maxConnections: number;
    /** On SIGTERM, how long in-flight requests (streams included) may still run. */
    shutdownGraceSecs: number;
  };
  database: { type: 'sqlite'; path: string };
  auth: {
    adminUsername: string;
    adminPassword: string | null;
    jwtSecret: string | null;
    jwtExpiresSecs: number;
    loginRateLimitPerMinute: number;
    secretKey: string | null;
  };
  nodes: {
    registrationKeyRequired: boolean;
    reachabilityCheck: boolean;
    timeoutSecs: number;
    monitorIntervalSecs: number;
    registrationRateLimitPerMinute: number;
    /** CIDRs inside which otherwise refused node addresses (loopback, link-local…) are allowed. */
    allowedNetworks: string[];
    /** Most nodes that may wait for approval at once. */
    maxPending: number;
    /** A node still pending this long after registering is removed. */
    pendingTtlHours: number;
  };
  health: {
    concurrency: number;
    timeoutSecs: number;
    failuresForOffline: number;
    tickMs: number;
    offlineBackoffMaxSecs: number;
    modelSyncIntervalSecs: number;
  };
  proxy: {
    maxAttempts: number;
    connectTimeoutMs: number;
    idleTimeoutSecs: number;
    providers: {
      openai: { baseUrl: string; apiKey: string | null };
      google: { baseUrl: string; apiKey: string | null };
      anthropic: { baseUrl: string; apiKey: string | null };
    };
  };
  scheduling: {
    /** Waiting requests per model; 0 = no queue (a full fleet answers 429 at once). */
    queueMax: number;
    queueTimeoutSecs: number;
    outlierConsecutiveFailures: number;
    affinity: boolean;
    affinityTtlSecs: number;
  };
  stats: {
    historyBodies: boolean;
    retentionDays: number;
    flushMs: number;
    /** Distinct model names with their own /metrics label and /v0/stats row; later ones → `other`. */
    maxLabelValues: number;
  };
  models: {
    hfBaseUrl: string;
    hfToken: string | null;
    hfCacheSecs: number;
    hfTimeoutMs: number;
    xllmPollIntervalMs: number;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
