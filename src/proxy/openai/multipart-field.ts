/**
 * Finds one small form field (e.g. `model`) in a multipart/form-data body while it streams
 * past, chunk by chunk, without holding the body: only a window of the last few KiB is kept.
 * The match is anchored on the boundary, so bytes inside a file part cannot fake it.
 */
export class MultipartFieldScanner {
  private readonly re: RegExp;
  private window = '\r\n';
  private found: string | null = null;

  constructor(
    boundary: string,
    field: string,
    private readonly keep = 8 * 1024,
  ) {
    const b = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const f = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.re = new RegExp(
      `\\r\\n--${b}\\r\\n(?:[^\\r\\n]+\\r\\n)*?content-disposition:[ \\t]*form-data;[ \\t]*name="?${f}"?[ \\t]*(?:;[^\\r\\n]*)?\\r\\n(?:[^\\r\\n]+\\r\\n)*?\\r\\n([^\\r]*)\\r\\n--${b}`,
      'i',
    );
  }

  get value(): string | null {
    return this.found;
  }

  /** Feeds the next chunk; returns the value once found. */
  push(chunk: Buffer): string | null {
    if (this.found !== null) return this.found;
    this.window += chunk.toString('latin1');
    const m = this.re.exec(this.window);
    if (m) {
      this.found = Buffer.from(m[1], 'latin1').toString('utf8').trim();
      this.window = '';
    } else if (this.window.length > this.keep) {
      this.window = this.window.slice(-this.keep);
    }
    return this.found;
  }
}

/** The boundary of a `multipart/form-data; boundary=…` content type (null when absent). */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}
