import { MultipartFieldScanner, multipartBoundary } from './multipart-field';

async function encode(form: FormData): Promise<{ body: Buffer; type: string }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await req.arrayBuffer()),
    type: req.headers.get('content-type') ?? '',
  };
}

function scan(body: Buffer, type: string, chunk: number): string | null {
  const s = new MultipartFieldScanner(multipartBoundary(type)!, 'model', 1024);
  for (let i = 0; i < body.length; i += chunk) s.push(body.subarray(i, i + chunk));
  return s.value;
}

describe('MultipartFieldScanner', () => {
  it('finds the model field after a large file, whatever the chunk size', async () => {
    const form = new FormData();
    const file = new Uint8Array(50_000).fill(0x41);
    form.append('file', new Blob([file]), 'a.wav');
    form.append('model', 'whisper-1');
    form.append('language', 'en');
    const { body, type } = await encode(form);
    for (const size of [1, 7, 100, 4096, body.length])
      expect(scan(body, type, size)).toBe('whisper-1');
  });

  it('is not fooled by a file whose bytes mimic a model field, and finds nothing when absent', async () => {
    const form = new FormData();
    const fake = 'Content-Disposition: form-data; name="model"\r\n\r\nevil\r\n';
    form.append('file', new Blob([fake]), 'a.txt');
    form.append('prompt', 'x');
    const { body, type } = await encode(form);
    expect(scan(body, type, 64)).toBeNull();
  });

  it('reads the boundary, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeNull();
  });
});
