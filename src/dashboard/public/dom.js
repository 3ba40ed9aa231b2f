// @ts-check
// DOM building and patching: every text goes through textContent, never innerHTML.

/**
 * @typedef {Node | string | number | null | undefined | false | ReadonlyArray<any>} Child
 * @typedef {Record<string, unknown>} Attrs
 */

/** Listeners added through h(), by event type, so patch() can swap them for fresh ones. */
const LISTENERS = new WeakMap();

/**
 * Creates an element: h('button', {class: 'btn', onclick, 'data-testid': 'x'}, 'Label').
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  /** @type {Record<string, EventListener>} */
  const on = {};
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      on[k.slice(2)] = /** @type {EventListener} */ (v);
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    } else if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'value')
      /** @type {HTMLInputElement} */ (/** @type {unknown} */ (el)).value = String(v);
    else if (k === 'checked')
      /** @type {HTMLInputElement} */ (/** @type {unknown} */ (el)).checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  if (Object.keys(on).length) LISTENERS.set(el, on);
  append(el, children);
  return el;
}

/**
 * @param {Node} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An SVG element.
 * @param {string} tag
 * @param {Record<string, string | number | undefined | null>} [attrs]
 * @param {...(Node | string | number | null | undefined)} children
 * @returns {SVGElement}
 */
export function s(tag, attrs, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c instanceof Node) el.appendChild(c);
    else if (c !== undefined && c !== null) el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Replaces the children of `el` (first render, or content that holds no user state).
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Makes the children of `el` look like `children` while keeping every node that is still
 * there: rows are matched by `data-id`, other elements by position and tag. A kept element
 * keeps its focus, text selection, scroll position and open state; its attributes, text and
 * listeners are brought up to date. Used by every polled refresh.
 * @param {Element} el
 * @param {...Child} children
 * @returns {Element}
 */
export function patch(el, ...children) {
  const next = document.createElement('div');
  append(next, children);
  patchChildren(el, next);
  return el;
}

/**
 * @param {Node} node
 * @returns {string | null}
 */
function keyOf(node) {
  return node instanceof Element ? node.getAttribute('data-id') : null;
}

/**
 * @param {Node} oldNode
 * @param {Node} newNode
 */
function sameKind(oldNode, newNode) {
  return oldNode.nodeName === newNode.nodeName && keyOf(oldNode) === keyOf(newNode);
}

/**
 * @param {Element} target
 * @param {Element} source
 */
function patchChildren(target, source) {
  const wanted = [...source.childNodes];
  const old = [...target.childNodes];
  /** @type {Map<string, Node>} */
  const byKey = new Map();
  for (const n of old) {
    const k = keyOf(n);
    if (k !== null) byKey.set(`${n.nodeName}:${k}`, n);
  }
  const used = new Set();
  wanted.forEach((want, i) => {
    const k = keyOf(want);
    /** @type {Node | undefined} */
    let have = k !== null ? byKey.get(`${want.nodeName}:${k}`) : undefined;
    if (!have) {
      const candidate = old[i];
      if (
        candidate &&
        !used.has(candidate) &&
        keyOf(candidate) === null &&
        sameKind(candidate, want)
      )
        have = candidate;
    }
    /** @type {Node} */
    let node = want;
    if (have && !used.has(have)) {
      used.add(have);
      patchNode(have, want);
      node = have;
    }
    const at = target.childNodes[i];
    if (at !== node) target.insertBefore(node, at || null);
  });
  for (const n of old) if (!used.has(n) && n.parentNode === target) target.removeChild(n);
}

/**
 * @param {Node} have
 * @param {Node} want
 */
function patchNode(have, want) {
  if (have.nodeType === Node.TEXT_NODE) {
    if (have.nodeValue !== want.nodeValue) have.nodeValue = want.nodeValue;
    return;
  }
  if (!(have instanceof Element) || !(want instanceof Element)) return;
  // Inline styles go through the CSSOM: the page's CSP refuses a `style` attribute.
  for (const a of [...have.attributes])
    if (a.name !== 'style' && !want.hasAttribute(a.name)) have.removeAttribute(a.name);
  for (const a of [...want.attributes])
    if (a.name !== 'style' && have.getAttribute(a.name) !== a.value)
      have.setAttribute(a.name, a.value);
  if (have instanceof HTMLElement && want instanceof HTMLElement) {
    if (have.style.cssText !== want.style.cssText) have.style.cssText = want.style.cssText;
  }
  if (
    (have instanceof HTMLInputElement || have instanceof HTMLSelectElement) &&
    (want instanceof HTMLInputElement || want instanceof HTMLSelectElement) &&
    have !== document.activeElement
  ) {
    if (have.value !== want.value) have.value = want.value;
    if (have instanceof HTMLInputElement && want instanceof HTMLInputElement)
      have.checked = want.checked;
  }
  const before = LISTENERS.get(have) || {};
  const after = LISTENERS.get(want) || {};
  for (const type of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[type] === after[type]) continue;
    if (before[type]) have.removeEventListener(type, before[type]);
    if (after[type]) have.addEventListener(type, after[type]);
  }
  if (Object.keys(after).length) LISTENERS.set(have, after);
  else LISTENERS.delete(have);
  patchChildren(have, want);
}
