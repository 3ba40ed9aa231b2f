/** Every permission an API key can carry (spec §3). */
export const PERMISSIONS = [
  'inference',
  'models.read',
  'endpoints.read',
  'endpoints.manage',
  'nodes.read',
  'nodes.manage',
  'nodes.register',
  'models.manage',
  'tasks.read',
  'api_keys.manage',
  'users.manage',
  'metrics.read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export type Role = 'admin' | 'viewer';

/** What a logged-in user (JWT) may do: admins everything; viewers read and infer. */
export function roleAllows(role: Role, permission: Permission): boolean {
  if (role === 'admin') return true;
  return permission.endsWith('.read') || permission === 'inference';
}
