/**
 * Checks for Hugging Face repo ids and file names before any request is built from them, so
 * that a name can never steer a request outside `{HF_BASE_URL}/{repo}/resolve/main/{file}`.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why `repo` is not a plain `owner/name` id, or null when it is fine. */
export function repoIdProblem(repo: string): string | null {
  if (typeof repo !== 'string' || repo.length === 0) return 'must be a repository id "owner/name"';
  if (repo.length > 200) return 'must be at most 200 characters';
  if (/[%\s\\?#:]/.test(repo)) return 'must not contain spaces, "%", "\\", "?", "#" or ":"';
  const parts = repo.split('/');
  if (parts.length !== 2) return 'must be a repository id "owner/name"';
  for (const p of parts) {
    if (p === '.' || p === '..' || p.includes('..')) return 'must not contain ".."';
    if (!SEGMENT.test(p))
      return 'must be a repository id "owner/name" (letters, digits, ".", "_", "-")';
  }
  return null;
}

/** Why `filename` is not a plain `.gguf` path inside a repo, or null when it is fine. */
export function ggufFilenameProblem(filename: string): string | null {
  if (typeof filename !== 'string' || filename.length === 0) return 'must be a file name';
  if (filename.length > 400) return 'must be at most 400 characters';
  if (/[%\s\\?#:]/.test(filename)) return 'must not contain spaces, "%", "\\", "?", "#" or ":"';
  if (filename.startsWith('/')) return 'must be a path inside the repository (no leading "/")';
  for (const p of filename.split('/')) {
    if (p === '' || p === '.' || p === '..' || p.includes('..'))
      return 'must not contain "..", "." or empty segments';
    if (!SEGMENT.test(p)) return 'must use letters, digits, ".", "_" and "-" only';
  }
  if (!/\.gguf$/i.test(filename)) return 'must be a .gguf file';
  return null;
}

/** `{repo}/{filename without .gguf}` lower-cased: the default registered name. */
export function defaultModelName(repo: string, filename: string): string {
  return `${repo}/${filename.replace(/\.gguf$/i, '')}`.toLowerCase();
}

/** Path segments encoded one by one (keeps the `/` between them). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
