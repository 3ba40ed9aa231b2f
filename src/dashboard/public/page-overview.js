// @ts-check
// Overview: fleet counts, request rates and the last hour's chart (GET /v0/stats).
import { get } from './api.js';
import { h, s, patch } from './dom.js';
import { badge, table, fmtMs, fmtNum, fmtPct, unavailable } from './ui.js';
import { schedulingPanel } from './scheduling.js';

/** @typedef {import('./openapi').components['schemas']} S */

/**
 * @param {string} title
 * @param {import('./dom.js').Child} value
 * @param {import('./dom.js').Child} sub
 * @param {string} testid
 */
function statCard(title, value, sub, testid) {
  return h(
    'div',
    { class: 'card stat', 'data-testid': testid },
    h('div', { class: 'stat-title' }, title),
    h('div', { class: 'stat-value', 'data-testid': `${testid}-value` }, value),
    h('div', { class: 'stat-sub' }, sub),
  );
}

/**
 * @param {Array<{status: string}>} items
 * @param {string[]} order
 */
function statusCounts(items, order) {
  /** @type {Record<string, number>} */
  const c = {};
  for (const it of items) c[it.status] = (c[it.status] || 0) + 1;
  const keys = [...order.filter((k) => c[k]), ...Object.keys(c).filter((k) => !order.includes(k))];
  if (!keys.length) return h('span', { class: 'muted' }, 'none registered');
  return h(
    'span',
    { class: 'counts' },
    keys.map((k) => h('span', { class: 'count' }, badge(k), ` ${c[k]}`)),
  );
}

/**
 * Buckets the last 60 minutes of `per_minute` (missing minutes count as zero).
 * @param {S['MinuteStatsDto'][]} perMinute
 */
export function lastHour(perMinute, now = Date.now()) {
  const end = Math.floor(now / 60000);
  const buckets = Array.from({ length: 60 }, (_, i) => ({
    t: (end - 59 + i) * 60000,
    requests: 0,
    errors: 0,
  }));
  for (const m of perMinute) {
    const idx = Math.floor(new Date(m.minute).getTime() / 60000) - (end - 59);
    if (idx >= 0 && idx < 60) {
      buckets[idx].requests += m.requests;
      buckets[idx].errors += m.errors;
    }
  }
  return buckets;
}

/** @param {ReturnType<typeof lastHour>} buckets */
function requestsChart(buckets) {
  const W = 600;
  const H = 170;
  const top = 14;
  const bottom = 22;
  const left = 34;
  const max = Math.max(1, ...buckets.map((b) => b.requests));
  const mag = 10 ** Math.floor(Math.log10(max));
  const nice = max <= 4 ? 4 : ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((v) => v >= max) ?? max);
  const bw = (W - left) / buckets.length;
  const y = (/** @type {number} */ v) => top + (H - top - bottom) * (1 - v / nice);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': 'Requests per minute over the last hour',
    'data-testid': 'requests-chart',
  });
  for (const frac of [0, 0.5, 1]) {
    const v = nice * frac;
    svg.appendChild(s('line', { x1: left, x2: W, y1: y(v), y2: y(v), class: 'grid' }));
    svg.appendChild(
      s('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmtNum(v)),
    );
  }
  buckets.forEach((b, i) => {
    const x = left + i * bw + 1;
    const w = Math.max(1, bw - 2);
    const ok = Math.max(0, b.requests - b.errors);
    const time = new Date(b.t).toISOString().slice(11, 16);
    const g = s(
      'g',
      {},
      s('title', {}, `${time} UTC — ${b.requests} requests, ${b.errors} errors`),
    );
    if (ok > 0)
      g.appendChild(
        s('rect', {
          x,
          y: y(b.requests),
          width: w,
          height: y(b.errors) - y(b.requests),
          class: 'bar',
        }),
      );
    if (b.errors > 0)
      g.appendChild(
        s('rect', { x, y: y(b.errors), width: w, height: y(0) - y(b.errors), class: 'bar-err' }),
      );
    if (b.requests === 0)
      g.appendChild(s('rect', { x, y: y(0) - 1, width: w, height: 1, class: 'bar-zero' }));
    svg.appendChild(g);
  });
  /** @type {Array<[number, string]>} */
  const ticks = [
    [0, '−60 min'],
    [30, '−30 min'],
    [59, 'now'],
  ];
  for (const [i, label] of ticks) {
    svg.appendChild(
      s(
        'text',
        {
          x: left + i * bw + bw / 2,
          y: H - 6,
          class: 'axis',
          'text-anchor': i === 0 ? 'start' : i === 59 ? 'end' : 'middle',
        },
        label,
      ),
    );
  }
  return svg;
}

export function overviewPage() {
  const cards = h('div', { class: 'cards', 'data-testid': 'overview-cards' });
  const chartBox = h('div', { class: 'chart-box' });
  const perBackend = h('div', {});
  const scheduling = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-overview' },
    cards,
    scheduling,
    h('section', { class: 'panel' }, h('h2', {}, 'Requests per minute — last hour'), chartBox),
    perBackend,
  );

  async function refresh() {
    const [nodes, endpoints, models, stats] = await Promise.allSettled([
      get('/v0/nodes'),
      get('/v0/endpoints'),
      get('/v0/models'),
      get('/v0/stats'),
    ]);
    /** @type {S['NodeListDto'] | null} */
    const nodeData = nodes.status === 'fulfilled' ? nodes.value : null;
    /** @type {S['EndpointListDto'] | null} */
    const epData = endpoints.status === 'fulfilled' ? endpoints.value : null;
    /** @type {S['ModelListDto'] | null} */
    const modelData = models.status === 'fulfilled' ? models.value : null;
    /** @type {S['StatsDto'] | null} */
    const st = stats.status === 'fulfilled' ? stats.value : null;
    const nodeList = nodeData && nodeData.nodes;
    const epList = epData && epData.endpoints;
    const na = () => h('span', { class: 'muted' }, 'not available');

    patch(
      cards,
      statCard(
        'Nodes',
        nodeList ? fmtNum(nodeList.length) : '—',
        nodeList ? statusCounts(nodeList, ['online', 'registering', 'pending', 'offline']) : na(),
        'card-nodes',
      ),
      statCard(
        'Endpoints',
        epList ? fmtNum(epList.length) : '—',
        epList ? statusCounts(epList, ['online', 'error', 'pending', 'offline']) : na(),
        'card-endpoints',
      ),
      statCard(
        'Models',
        modelData ? fmtNum(modelData.total) : '—',
        modelData ? 'registered' : na(),
        'card-models',
      ),
      statCard(
        'Requests / min',
        st ? fmtNum(st.last_hour.requests_per_minute, 1) : '—',
        st ? `${fmtNum(st.totals.requests)} total` : na(),
        'card-rpm',
      ),
      statCard(
        'Error rate',
        st ? fmtPct(st.last_hour.error_rate) : '—',
        st ? `${fmtNum(st.last_hour.errors)} errors in the last hour` : na(),
        'card-errors',
      ),
      statCard(
        'Latency p50',
        st ? fmtMs(st.last_hour.p50_latency_ms) : '—',
        st ? `p95 ${fmtMs(st.last_hour.p95_latency_ms)}` : na(),
        'card-latency',
      ),
    );
    if (stats.status === 'rejected')
      patch(chartBox, unavailable(stats.reason, 'Request statistics'));
    else if (st)
      patch(
        chartBox,
        requestsChart(lastHour(st.per_minute)),
        h(
          'div',
          { class: 'legend' },
          h('span', { class: 'sw sw-ok' }),
          'requests',
          h('span', { class: 'sw sw-err' }),
          'errors',
        ),
      );

    // Live queues and slots come first: they say what the fleet is doing right now.
    patch(scheduling, st ? schedulingPanel(st.scheduling) : null);

    const backends = st ? st.backends : [];
    const perModel = st ? st.models : [];
    /**
     * @param {string} label
     * @returns {Array<import('./ui.js').Column<S['GroupStatsDto']>>}
     */
    const statCols = (label) => [
      { label, cell: (r) => r.name ?? r.id },
      { label: 'Requests', cell: (r) => fmtNum(r.requests), class: 'num' },
      { label: 'Errors', cell: (r) => fmtNum(r.errors), class: 'num' },
      { label: 'Error rate', cell: (r) => fmtPct(r.error_rate), class: 'num' },
      { label: 'Avg latency', cell: (r) => fmtMs(r.avg_latency_ms), class: 'num' },
    ];
    patch(
      perBackend,
      backends.length || perModel.length
        ? h(
            'div',
            { class: 'grid-2 grid-wide' },
            h(
              'section',
              { class: 'panel' },
              h('h2', {}, 'By backend'),
              table(statCols('Backend'), backends, { rowId: (r) => r.id }),
            ),
            h(
              'section',
              { class: 'panel' },
              h('h2', {}, 'By model'),
              table(statCols('Model'), perModel, { rowId: (r) => r.id }),
            ),
          )
        : null,
    );
  }
  return { el, refresh };
}
