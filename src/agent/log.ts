/** The agent's log: one line per event, and one line per state change for repeated states. */
export class AgentLog {
  private readonly states = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  info(message: string): void {
    this.out.write(`${new Date().toISOString()} llmlb-agent ${message}\n`);
  }

  error(message: string): void {
    this.err.write(`${new Date().toISOString()} llmlb-agent ${message}\n`);
  }

  /** Logs `message` only when the state `key` changes to it (e.g. "server" → "unreachable"). */
  state(key: string, message: string, isError = false): void {
    if (this.states.get(key) === message) return;
    this.states.set(key, message);
    if (isError) this.error(message);
    else this.info(message);
  }
}
