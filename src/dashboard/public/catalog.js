// @ts-check
// The Hugging Face catalog on the models page: search, a repository's files, register.
import { get, post, qs } from './api.js';
import { h, mount } from './dom.js';
import { chip, table, button, toast, fmtBytes, fmtNum, unavailable } from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

/**
 * @param {boolean} isAdmin
 * @param {() => unknown} onRegistered
 */
export function catalogSection(isAdmin, onRegistered) {
  const search = h('input', {
    type: 'search',
    placeholder: 'Search Hugging Face GGUF models (e.g. qwen)',
    'data-testid': 'catalog-search',
    'aria-label': 'Catalog search',
  });
  const results = h('div', { 'data-testid': 'catalog-results' });
  const form = h(
    'form',
    { class: 'toolbar' },
    search,
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'catalog-search-submit' }, 'Search'),
  );

  /**
   * @param {string} repo
   * @param {HTMLElement} holder
   */
  async function showFiles(repo, holder) {
    mount(holder, h('p', { class: 'muted' }, 'Loading files…'));
    try {
      /** @type {S['RepoFilesDto']} */
      const data = await get(`/v0/models/available/${encodeURIComponent(repo)}/files`);
      const files = data.files;
      mount(
        holder,
        table(
          [
            { label: 'File', cell: (f) => h('code', {}, f.filename) },
            { label: 'Size', cell: (f) => fmtBytes(f.size_bytes), class: 'num' },
            {
              label: '',
              class: 'actions',
              cell: (f) =>
                isAdmin
                  ? button(
                      'Register',
                      async () => {
                        /** @type {S['RegisteredModelDto']} */
                        const r = await post('/v0/models/register', {
                          repo,
                          filename: f.filename,
                        });
                        toast(`Registered ${r.name}`);
                        onRegistered();
                      },
                      { class: 'btn-sm btn-primary', 'data-testid': 'register-file' },
                    )
                  : null,
            },
          ],
          files,
          {
            rowId: (f) => f.filename,
            rowTestId: 'file-row',
            empty: 'No .gguf files in this repository.',
          },
        ),
      );
    } catch (e) {
      mount(holder, unavailable(e, 'Catalog files'));
    }
  }

  async function run() {
    mount(results, h('p', { class: 'muted' }, 'Searching…'));
    try {
      /** @type {S['CatalogDto']} */
      const data = await get(
        `/v0/models/available${qs({ search: search.value.trim(), limit: 20 })}`,
      );
      const { supported, available } = data;
      /**
       * @param {S['SupportedItemDto'] | S['CatalogItemDto']} r
       * @param {boolean} registered
       */
      const repoRow = (r, registered) => {
        const repo = r.repo;
        const files = h('div', { class: 'files' });
        return h(
          'li',
          {
            class: 'repo',
            'data-testid': registered ? 'catalog-supported' : 'catalog-available',
            'data-id': repo,
          },
          h(
            'div',
            { class: 'repo-head' },
            h(
              'div',
              {},
              h('strong', {}, repo),
              registered ? chip('registered', 'chip-ok') : null,
              // supported: registered models {name, repo, filename, size_bytes};
              // available: hub repos {repo, downloads, likes, tags}.
              h(
                'div',
                { class: 'muted small' },
                'name' in r
                  ? `${r.name} · ${r.filename} · ${fmtBytes(r.size_bytes)}`
                  : `${fmtNum(r.downloads)} downloads · ${fmtNum(r.likes)} likes`,
              ),
            ),
            button(
              'Files',
              () => (files.childNodes.length ? mount(files) : showFiles(repo, files)),
              { class: 'btn-sm', 'data-testid': 'catalog-files' },
            ),
          ),
          files,
        );
      };
      mount(
        results,
        data.stale
          ? h('div', { class: 'notice' }, 'Hugging Face is unreachable; showing cached results.')
          : null,
        h('h3', {}, `Supported (registered) — ${supported.length}`),
        supported.length
          ? h(
              'ul',
              { class: 'repos' },
              supported.map((r) => repoRow(r, true)),
            )
          : h('p', { class: 'muted' }, 'None of the results is registered yet.'),
        h('h3', {}, `Available — ${available.length}`),
        available.length
          ? h(
              'ul',
              { class: 'repos' },
              available.map((r) => repoRow(r, false)),
            )
          : h('p', { class: 'muted' }, 'No results.'),
      );
    } catch (e) {
      mount(results, unavailable(e, 'The model catalog'));
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  return h(
    'section',
    { class: 'panel', 'data-testid': 'catalog' },
    h('h2', {}, 'Hugging Face catalog'),
    form,
    results,
  );
}
