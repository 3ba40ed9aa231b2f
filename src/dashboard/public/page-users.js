// @ts-check
// Users (admin): admins and viewers of the dashboard and the API.
import { get, post, put, del } from './api.js';
import { h, patch } from './dom.js';
import {
  chip,
  table,
  dialog,
  confirmDialog,
  field,
  button,
  toast,
  fmtTime,
  unavailable,
} from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

/** @param {{user: {username: string}}} ctx */
export function usersPage({ user: me }) {
  const body = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-users' },
    h(
      'div',
      { class: 'toolbar' },
      h('span', { class: 'muted' }, 'Admins manage everything; viewers can only read.'),
      h('span', { class: 'spacer' }),
      button('Add user', () => userDialog(null), {
        class: 'btn-primary',
        'data-testid': 'add-user',
      }),
    ),
    body,
  );

  /** @param {S['UserDto'] | null} u */
  function userDialog(u) {
    const name = h('input', {
      required: true,
      value: u ? u.username : '',
      disabled: !!u,
      'data-testid': 'user-name',
      autocomplete: 'off',
    });
    const pass = h('input', {
      type: 'password',
      minlength: 8,
      'data-testid': 'user-password',
      autocomplete: 'new-password',
      placeholder: u ? 'unchanged' : 'at least 8 characters',
    });
    const role = h(
      'select',
      { 'data-testid': 'user-role' },
      h('option', { value: 'viewer' }, 'viewer'),
      h('option', { value: 'admin' }, 'admin'),
    );
    role.value = u ? u.role : 'viewer';
    dialog({
      title: u ? `Edit ${u.username}` : 'Add user',
      testid: 'user-dialog',
      body: h(
        'div',
        {},
        field('Username', name),
        field(u ? 'New password' : 'Password', pass),
        field('Role', role),
      ),
      actions: [
        { label: 'Cancel' },
        {
          label: u ? 'Save' : 'Add user',
          class: 'btn-primary',
          submit: true,
          testid: 'user-submit',
          onclick: async (close) => {
            if (u) {
              /** @type {S['UpdateUserDto']} */
              const change = {};
              if (pass.value) change.password = pass.value;
              if (role.value !== u.role)
                change.role = /** @type {S['UserDto']['role']} */ (role.value);
              await put(`/v0/users/${u.id}`, change);
              toast(`Saved ${u.username}`);
            } else {
              await post('/v0/users', {
                username: name.value.trim(),
                password: pass.value,
                role: role.value,
              });
              toast(`Added ${name.value.trim()}`);
            }
            close();
            await refresh();
          },
        },
      ],
    });
  }

  async function refresh() {
    /** @type {S['UserDto'][]} */
    let users;
    try {
      /** @type {S['UserListDto']} */
      const data = await get('/v0/users');
      users = data.users;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(body, unavailable(e, 'Users'));
      return;
    }
    patch(
      body,
      table(
        [
          {
            label: 'Username',
            cell: (u) =>
              h(
                'span',
                {},
                h('strong', {}, u.username),
                u.username === me.username ? chip('you', 'chip-muted') : null,
              ),
          },
          { label: 'Role', cell: (u) => chip(u.role, u.role === 'admin' ? 'chip-admin' : '') },
          { label: 'Created', cell: (u) => fmtTime(u.created_at) },
          {
            label: '',
            class: 'actions',
            cell: (u) =>
              h(
                'div',
                { class: 'btn-row' },
                button('Edit', () => userDialog(u), {
                  class: 'btn-sm',
                  'data-testid': 'edit-user',
                }),
                button(
                  'Delete',
                  () =>
                    confirmDialog('Delete user', `Delete ${u.username}?`, 'Delete', async () => {
                      await del(`/v0/users/${u.id}`);
                      await refresh();
                    }),
                  { class: 'btn-sm btn-ghost', 'data-testid': 'delete-user' },
                ),
              ),
          },
        ],
        users,
        { rowId: (u) => u.id, rowTestId: 'user-row', testid: 'users-table' },
      ),
    );
  }
  return { el, refresh };
}
