import { readEnvironment } from './environment';

/** What the `llmlb` client commands read from the environment (not the server's settings). */
export interface CliEnvironment {
  url: string;
  apiKey: string | null;
  username: string | null;
  password: string | null;
  /** False when NO_COLOR is set (https://no-color.org). */
  color: boolean;
}

export const DEFAULT_CLI_URL = 'http://127.0.0.1:32768';

const nonEmpty = (v: string | undefined): string | null => (v && v.trim() !== '' ? v : null);

export function readCliEnvironment(env = readEnvironment()): CliEnvironment {
  return {
    url: nonEmpty(env.LLMLB_URL) ?? DEFAULT_CLI_URL,
    apiKey: nonEmpty(env.LLMLB_API_KEY),
    username: nonEmpty(env.LLMLB_USERNAME),
    password: nonEmpty(env.LLMLB_PASSWORD),
    color: !nonEmpty(env.NO_COLOR),
  };
}
