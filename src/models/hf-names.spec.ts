import { defaultModelName, ggufFilenameProblem, repoIdProblem } from './hf-names';

describe('hf names', () => {
  it.each(['TheBloke/Llama-2-7B-GGUF', 'Qwen/Qwen2.5-7B-Instruct-GGUF', 'a/b', 'user_1/model.v2'])(
    'accepts repo %s',
    (r) => expect(repoIdProblem(r)).toBeNull(),
  );
  it.each([
    '',
    'noslash',
    'a/b/c',
    '../etc',
    'a/..',
    'a/b..c',
    'a b/c',
    'a%2Fb',
    'a/b%2F..',
    '/a/b',
    'http://evil.example/a',
    'https:/evil/x',
    '.hidden/x',
    'a\\b/c',
  ])('refuses repo %j', (r) => expect(repoIdProblem(r)).not.toBeNull());

  it.each(['model-q4_k_m.gguf', 'Q4_K_M/model-00001-of-00002.gguf', 'A.GGUF'])(
    'accepts file %s',
    (f) => expect(ggufFilenameProblem(f)).toBeNull(),
  );
  it.each([
    '',
    'model.bin',
    '../model.gguf',
    'dir/../model.gguf',
    '/model.gguf',
    'a b.gguf',
    'dir%2Fmodel.gguf',
    'http://x/model.gguf',
    'dir//model.gguf',
    './model.gguf',
  ])('refuses file %j', (f) => expect(ggufFilenameProblem(f)).not.toBeNull());

  it('builds the default name lower-cased without .gguf', () => {
    expect(defaultModelName('TheBloke/Llama-2-7B-GGUF', 'llama-2-7b.Q4_K_M.gguf')).toBe(
      'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
    );
  });
});
