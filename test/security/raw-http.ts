import { connect, type Socket } from 'node:net';

/** A raw TCP client for intake tests: write request bytes by hand, watch what comes back. */
export class RawConnection {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received = '';
  readonly closed: Promise<void>;
  private waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.received += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(port), hostname, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Resolves once a full response head has arrived (or rejects when the socket closes first). */
  async response(): Promise<{ status: number; head: string; body: string }> {
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.received.slice(0, end);
        return {
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
          head,
          body: this.received.slice(end + 4),
        };
      }
      if (this.socket.destroyed || this.socket.readableEnded)
        throw new Error(`closed without a response; got ${JSON.stringify(this.received)}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.closed]);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The head of a request, ending with the empty line. */
export function requestHead(method: string, path: string, headers: Record<string, string>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
