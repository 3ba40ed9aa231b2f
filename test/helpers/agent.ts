import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'llmlb.js');

export interface FakeTool {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/**
 * Writes fake vendor tools (`nvidia-smi`, `rocm-smi`, `system_profiler`, …) into `dir`: small
 * sh scripts printing the given real-format output with `printf` (a shell builtin, so PATH
 * may hold only this directory).
 */
export function writeFakeTools(dir: string, tools: Record<string, FakeTool>): string {
  mkdirSync(dir, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  for (const [name, t] of Object.entries(tools)) {
    const lines = ['#!/bin/sh'];
    if (t.stdout) lines.push(`printf '%s' ${quote(t.stdout)}`);
    if (t.stderr) lines.push(`printf '%s' ${quote(t.stderr)} >&2`);
    lines.push(`exit ${t.exitCode ?? 0}`);
    const p = join(dir, name);
    writeFileSync(p, `${lines.join('\n')}\n`);
    chmodSync(p, 0o755);
  }
  return dir;
}

/** `llmlb agent` run as a child process from the built dist (npm run build first). */
export class AgentProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined = undefined;

  constructor(args: string[], env: Record<string, string>) {
    if (!existsSync(join(ROOT, 'dist', 'src', 'agent', 'main.js')))
      throw new Error('the agent is not built: run `npm run build` first');
    this.child = spawn(process.execPath, [BIN, 'agent', ...args], {
      env: { HOME: env.HOME ?? '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          this.lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
        this.notify();
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.exitCode = code;
        this.notify();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): string {
    return this.lines.join('\n');
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits for an output line matching `re` at index ≥ `from`; returns its index. */
  waitForLine(re: RegExp, opts: { from?: number; timeoutMs?: number } = {}): Promise<number> {
    const from = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.lines.findIndex((l, idx) => idx >= from && re.test(l));
        if (i >= 0) {
          done();
          resolve(i);
        } else if (this.exitCode !== undefined) {
          done();
          reject(new Error(`agent exited (${this.exitCode}) before ${re}:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re}; agent output:\n${this.output}`));
      }, opts.timeoutMs ?? 15_000);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** SIGTERM and wait for the exit. */
  async stop(): Promise<number | null> {
    if (this.exitCode === undefined) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL (a crash) and wait for the exit. */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * A TCP forwarder on a fixed random port, so the agent keeps one server URL while the test
 * restarts the server on another port (`target`); no target → connections are refused at once.
 */
export class TcpForwarder {
  target: number | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.target === null) return void client.destroy();
      const upstream = connect({ host: '127.0.0.1', port: this.target });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts open connections (e.g. when the server behind goes away). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
