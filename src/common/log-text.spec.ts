import { logText } from './log-text';

describe('logText', () => {
  it('escapes control characters so text from outside cannot forge or hide log lines', () => {
    expect(logText('gpu\n[Nest] LOG forged')).toBe('gpu\\u000a[Nest] LOG forged');
    expect(logText('a\r\u001b[31mred\u0007\u0000')).toBe('a\\u000d\\u001b[31mred\\u0007\\u0000');
    expect(logText('x\u0085y\u2028z\u202eevil')).toBe('x\\u0085y\\u2028z\\u202eevil');
    expect(logText('\u007f')).toBe('\\u007f');
  });

  it('keeps ordinary text, including non-ASCII, and cuts long text', () => {
    expect(logText('NVIDIA RTX 4090 — ノード')).toBe('NVIDIA RTX 4090 — ノード');
    expect(logText('y'.repeat(300), 10)).toBe(`${'y'.repeat(10)}…`);
    expect(logText(42)).toBe('42');
  });
});
