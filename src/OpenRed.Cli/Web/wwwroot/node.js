// The node page: identity, counters and each module's figures from /v1/status, and two live charts (sessions,
// bytes per second) sampled every 2 s while the page is open. The node keeps no byte totals: traffic is the sum
// of each session's growth between two samples of /v1/peers.

import { getJson } from './api.js';
import { el, $, fmtBytes, fmtDuration, toast } from './dom.js';
import { drawChart } from './chart.js';

const SAMPLE_MS = 2000;
const CAPACITY = 150; // 5 minutes of samples
const sessions = [];
const bytesIn = [];
const bytesOut = [];
let lastBytes = new Map();
let lastAt = 0;
let visible = false;
let status = null;

export function init() {
  sample();
  setInterval(sample, SAMPLE_MS);
}

export function show() {
  visible = true;
  render();
}

export function hide() {
  visible = false;
}

export function refresh() {
  // After a restart the counters start again from zero: no negative rates.
  lastBytes = new Map();
  lastAt = 0;
  sample();
}

const push = (list, value) => {
  list.push(value);
  if (list.length > CAPACITY) list.shift();
};

async function sample() {
  try {
    const [s, peers] = await Promise.all([getJson('/v1/status'), getJson('/v1/peers')]);
    status = s;
    const now = performance.now();
    const current = new Map((peers.sessions ?? []).map((x) => [x.session_id, [x.bytes_in, x.bytes_out]]));
    if (lastAt) {
      const seconds = Math.max(0.001, (now - lastAt) / 1000);
      let inSum = 0;
      let outSum = 0;
      for (const [id, [i, o]] of current) {
        const [pi, po] = lastBytes.get(id) ?? [0, 0];
        inSum += Math.max(0, i - pi);
        outSum += Math.max(0, o - po);
      }
      push(bytesIn, inSum / seconds);
      push(bytesOut, outSum / seconds);
    }
    lastBytes = current;
    lastAt = now;
    push(sessions, s.sessions);
    if (visible) render();
  } catch (e) {
    if (visible) toast('status: ' + e.message, 'error');
  }
}

function facts(target, pairs) {
  target.replaceChildren(...pairs.filter(Boolean).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

const byKind = (counts) => {
  const entries = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
  return entries.length ? ' (' + entries.map(([k, n]) => `${k.replaceAll('_', ' ')} ${n}`).join(', ') + ')' : '';
};

const MODULES_SHOWN_ELSEWHERE = new Set(['lighthouse']);
const CORE = new Set([
  'node_id', 'fingerprint', 'sector', 'tcp_port', 'listen_address', 'data_dir', 'started_at_ms', 'uptime_ms', 'sessions', 'peers',
  'links', 'handshakes_completed', 'handshakes_failed', 'connections_refused', 'connections_refused_by', 'sessions_refused',
  'sessions_refused_by', 'protocol_violations', 'dashboard',
]);

function render() {
  if (!status) return;
  const s = status;
  const l = s.lighthouse;
  facts($('#node-identity'), [
    ['node-id', s.node_id],
    ['fingerprint', el('span', { class: 'mono fingerprint' }, s.fingerprint)],
    ['sector', s.sector],
    ['TCP', `${s.listen_address}:${s.tcp_port}`],
    l ? ['lighthouse', l.state === 'running' ? `running, UDP ${l.group}:${l.port} on ${l.interface_name ?? l.interface ?? 'all'}` : (l.message ?? l.state)] : null,
    ['uptime', fmtDuration(s.uptime_ms)],
    ['data dir', el('span', { class: 'mono' }, s.data_dir)],
    s.dashboard ? ['dashboard', s.dashboard] : null,
  ]);
  facts($('#node-counters'), [
    ['sessions', String(s.sessions)],
    ['peers / links', `${s.peers} / ${s.links}`],
    ['handshakes', `${s.handshakes_completed} completed, ${s.handshakes_failed} failed`],
    ['connections refused', s.connections_refused + byKind(s.connections_refused_by)],
    ['sessions refused', s.sessions_refused + byKind(s.sessions_refused_by)],
    ['protocol violations', String(s.protocol_violations)],
    l ? ['beacons', `${l.beacons_sent} sent, ${l.beacons_received} received, ${l.dropped_total} dropped${byKind(l.dropped)}`] : null,
    ['traffic now', `↓ ${fmtBytes(bytesIn.at(-1) ?? 0)}/s  ↑ ${fmtBytes(bytesOut.at(-1) ?? 0)}/s`],
  ]);
  const modules = Object.entries(s).filter(([k, v]) => !CORE.has(k) && !MODULES_SHOWN_ELSEWHERE.has(k) && v && typeof v === 'object');
  $('#node-modules').replaceChildren(...modules.flatMap(([name, value]) => [
    el('dt', {}, name),
    el('dd', {}, Object.entries(value)
      .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')
      .map(([k, v]) => `${k.replaceAll('_', ' ')} ${k.endsWith('_bytes') ? fmtBytes(v) : v}`).join(' · ')),
  ]));
  drawChart($('#chart-sessions'), [{ values: sessions, class: 'sessions' }], CAPACITY, (max) => `${max} sessions`);
  drawChart($('#chart-traffic'), [{ values: bytesIn, class: 'in' }, { values: bytesOut, class: 'out' }], CAPACITY,
    (max) => `${fmtBytes(max)}/s`);
  $('#chart-sessions-now').textContent = `now ${s.sessions} · last ${Math.round((sessions.length * SAMPLE_MS) / 60000 * 10) / 10} min`;
  $('#chart-traffic-now').textContent = `↓ in ${fmtBytes(bytesIn.at(-1) ?? 0)}/s · ↑ out ${fmtBytes(bytesOut.at(-1) ?? 0)}/s`;
}
