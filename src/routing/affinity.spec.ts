import { AffinityMap, conversationKey } from './affinity';

describe('conversationKey', () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hi' },
  ];

  it('prefers x-session-id, then user (or metadata.user_id), then the leading messages', () => {
    expect(conversationKey('s1', 'm', { user: 'u1', messages })).toBe('s:s1');
    expect(conversationKey(['s2'], 'm', { messages })).toBe('s:s2');
    expect(conversationKey(undefined, 'm', { user: 'u1', messages })).toBe('u:u1');
    expect(conversationKey(undefined, 'm', { metadata: { user_id: 'u2' }, messages })).toBe('u:u2');
    expect(conversationKey(undefined, 'm', { messages })).toMatch(/^h:/);
  });

  it('gives every turn of one conversation the same key, and other conversations others', () => {
    const turn1 = conversationKey(undefined, 'm', { messages });
    const turn3 = conversationKey(undefined, 'm', {
      messages: [
        ...messages,
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'And now?' },
      ],
    });
    expect(turn3).toBe(turn1);
    const otherUser = conversationKey(undefined, 'm', {
      messages: [messages[0], { role: 'user', content: 'Bonjour' }],
    });
    const otherModel = conversationKey(undefined, 'm2', { messages });
    expect(otherUser).not.toBe(turn1);
    expect(otherModel).not.toBe(turn1);
  });

  it('has no key without messages (embeddings)', () => {
    expect(conversationKey(undefined, 'm', { input: 'text' })).toBeNull();
    expect(conversationKey(undefined, 'm', {})).toBeNull();
  });
});

describe('AffinityMap', () => {
  it('expires entries after the TTL', () => {
    const m = new AffinityMap(1000);
    m.set('k', 'b1', 0);
    expect(m.get('k', 999)).toBe('b1');
    expect(m.get('k', 1001)).toBeNull();
    expect(m.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the least recently set', () => {
    const m = new AffinityMap(60_000, 2);
    m.set('a', 'b1', 0);
    m.set('b', 'b2', 1);
    m.set('a', 'b3', 2); // refreshes a
    m.set('c', 'b4', 3); // evicts b
    expect(m.get('b', 4)).toBeNull();
    expect(m.get('a', 4)).toBe('b3');
    expect(m.get('c', 4)).toBe('b4');
  });
});
