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

  /**
   * Logs `message` only when the state `key` changes to `value` (e.g. "server" → "unreachable"),
   * so a retry loop logs one line however the individual attempts fail.
   */
  state(key: string, value: string, message: string, isError = false): void {
    if (this.states.get(key) === value) return;
    this.states.set(key, value);
    if (isError) this.error(message);
    else this.info(message);
  }
}
