import Table from 'cli-table3';

/** How a command prints: tables for people, JSON for scripts. */
export interface Output {
  json: boolean;
  /** Prints data as JSON (for --json) or calls `human`. */
  result(data: unknown, human: () => void): void;
  line(text?: string): void;
  table(head: string[], rows: Array<Array<string | number>>): void;
}

export function createOutput(
  json: boolean,
  color = true,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Output {
  return {
    json,
    result(data, human) {
      if (json) write(`${JSON.stringify(data ?? null, null, 2)}\n`);
      else human();
    },
    line(text = '') {
      write(`${text}\n`);
    },
    table(head, rows) {
      if (!rows.length) {
        write('(none)\n');
        return;
      }
      const t = new Table({
        head,
        style: {
          head: color && process.stdout.isTTY ? ['cyan'] : [],
          border: color && process.stdout.isTTY ? ['grey'] : [],
        },
        wordWrap: true,
      });
      for (const r of rows) t.push(r.map((c) => String(c)));
      write(`${t.toString()}\n`);
    },
  };
}

export const dash = (v: unknown): string =>
  v === undefined || v === null || v === '' ? '-' : String(v);

export function fmtBytes(n: unknown): string {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x >= 10 || i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
}

export function fmtMs(n: unknown): string {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '-';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

export function fmtPct(n: unknown): string {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '-';
  return `${Math.round(v)}%`;
}

export function fmtAgo(ts: unknown, now = Date.now()): string {
  if (!ts) return '-';
  const t = new Date(String(ts)).getTime();
  if (!Number.isFinite(t)) return '-';
  const d = Math.max(0, Math.round((now - t) / 1000));
  if (d < 60) return `${d}s ago`;
  if (d < 3600) return `${Math.floor(d / 60)}m ago`;
  if (d < 86400) return `${Math.floor(d / 3600)}h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

export const shortId = (id: unknown): string => (typeof id === 'string' ? id.slice(0, 8) : '-');
