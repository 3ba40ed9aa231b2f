import { LabelCap, MAX_LABEL_LENGTH, OVERFLOW_LABEL } from './label-cap';

describe('LabelCap', () => {
  it('keeps the first `limit` distinct values and counts every later one as other', () => {
    const cap = new LabelCap(2);
    expect(cap.label('a')).toBe('a');
    expect(cap.label('b')).toBe('b');
    expect(cap.label('c')).toBe(OVERFLOW_LABEL);
    expect(cap.label('a')).toBe('a');
    expect(cap.label('b')).toBe('b');
    expect(cap.label('d')).toBe(OVERFLOW_LABEL);
    expect(cap.size).toBe(2);
  });

  it('cuts very long values', () => {
    const cap = new LabelCap(10);
    const long = 'm'.repeat(MAX_LABEL_LENGTH + 50);
    expect(cap.label(long)).toHaveLength(MAX_LABEL_LENGTH);
    expect(cap.label(`${long}-other-tail`)).toBe(long.slice(0, MAX_LABEL_LENGTH));
    expect(cap.size).toBe(1);
  });
});
