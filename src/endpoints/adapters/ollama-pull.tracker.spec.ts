import { LineSplitter, OllamaPullTracker } from './ollama-pull.tracker';

describe('OllamaPullTracker', () => {
  it('sums layers, never goes backwards, and recognises success and errors', () => {
    const t = new OllamaPullTracker();
    expect(t.feed({ status: 'pulling manifest' })).toEqual({
      kind: 'status',
      status: 'pulling manifest',
    });
    const a = t.feed({ status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 500 });
    expect(a).toMatchObject({ kind: 'progress', progress: 0.5, completed: 500, total: 1000 });
    const b = t.feed({ status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 1000 });
    expect(b).toMatchObject({ progress: 0.999 });
    // a new small layer appears: the sum would drop to 1000/1100 but the figure never goes back
    const c = t.feed({ status: 'pulling bbb', digest: 'sha256:bbb', total: 100 });
    expect(c).toMatchObject({ progress: 0.999, total: 1100 });
    expect(t.totalBytes).toBe(1100);
    expect(t.feed({ status: 'verifying sha256 digest' }).kind).toBe('status');
    expect(t.feed({ status: 'success' })).toEqual({ kind: 'success' });
    expect(t.feed({ error: 'pull model manifest: file does not exist' })).toEqual({
      kind: 'error',
      message: 'pull model manifest: file does not exist',
    });
  });

  it('splits NDJSON cut across chunks', () => {
    const s = new LineSplitter();
    const enc = new TextEncoder();
    expect(s.push(enc.encode('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(s.push(enc.encode(':2}\n\n'))).toEqual(['{"b":2}']);
    expect(s.push(enc.encode('{"c":3}'))).toEqual([]);
    expect(s.end()).toEqual(['{"c":3}']);
  });
});
