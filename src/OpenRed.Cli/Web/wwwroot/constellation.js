// The constellation: this node in the middle, peers grouped by sector in wedges, sessions drawn as arrows
// (dialer to listener) labelled with round-trip time and bytes, peers heard or known but not connected on a
// dashed outer ring. Refetched ~200 ms after a peer or session event, and every few seconds for the counters.

import { getJson } from './api.js';
import { onNodeEvent } from './events.js';
import { el, svg, $, fmtBytes, fmtRtt, short, debounce, toast } from './dom.js';
import { openPeerPanel, refreshPeerPanel, panelPeer, initPanel } from './peer-panel.js';

// Ring radii in map units (the map is 1000 wide); narrower on a small screen, where the labels are bigger.
const inner = () => (narrow.matches ? 220 : 250);
const outer = () => (narrow.matches ? 340 : 400);
const SELF_R = 44;
const PEER_R = 26;
const POLL_MS = 3000;
const PEER_EVENTS = new Set(['peer_heard', 'peer_lost', 'session_opened', 'session_closed', 'impersonation']);

let model = null;
let visible = false;
let timer = null;
const sectorSeen = new Map();
// Under 720 px the 1000-unit map is small on screen: bigger letters (app.css), fewer of them.
const narrow = window.matchMedia('(max-width: 720px)');

export function init() {
  initPanel();
  onNodeEvent((e) => {
    if (e.fingerprint && e.sector) sectorSeen.set(e.fingerprint, e.sector);
    if (PEER_EVENTS.has(e.type)) scheduleRefresh();
  });
  $('#map').addEventListener('click', (event) => {
    const target = event.target.closest('[data-fingerprint]');
    if (target) openPeer(target.dataset.fingerprint);
  });
  $('#map').addEventListener('keydown', (event) => {
    const target = event.target.closest('[data-fingerprint]');
    if (target && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      openPeer(target.dataset.fingerprint);
    }
  });
  narrow.addEventListener('change', () => { if (model) render(); });
  refresh();
}

export function show() {
  visible = true;
  refresh();
  timer = setInterval(refresh, POLL_MS);
}

export function hide() {
  visible = false;
  clearInterval(timer);
}

const scheduleRefresh = debounce(() => refresh(), 200);

export async function refresh() {
  try {
    const [map, peers] = await Promise.all([getJson('/v1/map'), getJson('/v1/peers')]);
    model = build(map, peers);
    render();
    const open = panelPeer();
    if (open) refreshPeerPanel(model.byFingerprint.get(open) ?? null);
  } catch (e) {
    if (visible) toast('constellation: ' + e.message, 'error');
  }
}

function openPeer(fingerprint) {
  const peer = model?.byFingerprint.get(fingerprint);
  if (peer) openPeerPanel(peer, () => refresh());
}

/** One entry per fingerprint, from the sessions (live figures), the lighthouse's peers and the directory. */
function build(map, peers) {
  const byFingerprint = new Map();
  const entry = (fingerprint) => {
    let p = byFingerprint.get(fingerprint);
    if (!p) {
      p = { fingerprint, nodeId: null, sector: null, address: null, port: null, sources: new Set(), kind: 'known' };
      byFingerprint.set(fingerprint, p);
    }
    return p;
  };
  for (const k of map.known ?? []) {
    const p = entry(k.fingerprint);
    Object.assign(p, { nodeId: k.node_id, sector: k.sector, address: k.address, port: k.tcp_port, verified: k.verified, kind: 'known' });
    (k.sources ?? []).forEach((s) => p.sources.add(s));
  }
  for (const h of map.peers ?? []) {
    const p = entry(h.fingerprint);
    Object.assign(p, {
      nodeId: h.node_id, sector: h.sector, address: h.address, port: h.tcp_port, state: h.state,
      lastHeardAgoMs: h.last_heard_ago_ms, kind: 'heard',
    });
    (h.sources ?? []).forEach((s) => p.sources.add(s));
  }
  for (const s of map.sessions ?? []) {
    const p = entry(s.fingerprint);
    p.nodeId ??= s.node_id;
    p.sector = s.sector ?? p.sector;
    (s.sources ?? []).forEach((x) => p.sources.add(x));
  }
  for (const s of peers.sessions ?? []) {
    const p = entry(s.fingerprint);
    Object.assign(p, {
      nodeId: s.node_id, address: s.address, port: s.tcp_port, kind: 'session', direction: s.direction,
      rttMs: s.rtt_ms, bytesIn: s.bytes_in, bytesOut: s.bytes_out, ageMs: s.age_ms, impersonation: s.impersonation_warning,
    });
  }
  for (const p of byFingerprint.values()) {
    p.sector ??= sectorSeen.get(p.fingerprint) ?? null;
    p.sources = [...p.sources].sort();
  }
  return { self: map.self, byFingerprint, peers: [...byFingerprint.values()] };
}

const KIND_ORDER = { session: 0, heard: 1, known: 2 };

function sectorsOf(self, peers) {
  const groups = new Map();
  for (const p of peers) {
    const key = p.sector ?? '?';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || String(a.nodeId).localeCompare(String(b.nodeId)) || a.fingerprint.localeCompare(b.fingerprint));
  }
  return [...groups.entries()].sort(([a], [b]) => (a === self.sector ? -1 : b === self.sector ? 1 : a.localeCompare(b)));
}

function polar(angle, radius) {
  return [Math.cos(angle) * radius, Math.sin(angle) * radius];
}

const trimmed = (text, max) => (text.length > max ? text.slice(0, max - 1) + '…' : text);

function render() {
  const map = $('#map');
  const { self, peers } = model;
  const layers = { wedges: svg('g', { class: 'wedges' }), links: svg('g', { class: 'links' }), nodes: svg('g', { class: 'nodes' }) };
  const defs = svg('defs', {},
    svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' })));
  layers.wedges.append(
    svg('circle', { class: 'ring ring-inner', r: inner() }),
    svg('circle', { class: 'ring ring-outer', r: outer() }));

  const sectors = sectorsOf(self, peers);
  const total = Math.max(1, peers.length);
  let start = -Math.PI / 2;
  for (const [sector, list] of sectors) {
    const span = (2 * Math.PI * list.length) / total;
    if (sectors.length > 1) {
      const [x, y] = polar(start, 480);
      layers.wedges.append(svg('line', { class: 'wedge-edge', x1: 0, y1: 0, x2: x, y2: y }));
    }
    const middle = start + span / 2;
    const [lx, ly] = polar(middle, 462);
    const label = sector === self.sector ? sector + ' (this sector)' : sector === '?' ? 'sector unknown' : sector;
    layers.wedges.append(svg('text', { class: 'sector-label', x: lx, y: ly, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, trimmed(label, 28)));
    list.forEach((p, i) => {
      const angle = start + (span * (i + 0.5)) / list.length;
      const radius = p.kind === 'session' ? inner() : outer();
      const [x, y] = polar(angle, radius);
      if (p.kind === 'session') layers.links.append(link(p, x, y, angle));
      layers.nodes.append(peerNode(p, x, y));
    });
    start += span;
  }

  layers.nodes.append(svg('g', { class: 'self', 'aria-label': 'this node: ' + self.node_id },
    svg('circle', { r: SELF_R }),
    svg('text', { class: 'self-label', y: 6, 'text-anchor': 'middle' }, trimmed(self.node_id, 12)),
    svg('text', { class: 'self-sub', y: SELF_R + 28, 'text-anchor': 'middle' }, 'sector ' + trimmed(self.sector, 20))));

  if (peers.length === 0) {
    layers.nodes.append(svg('text', { class: 'map-empty', y: 150, 'text-anchor': 'middle' }, 'No peer yet'));
  }
  map.replaceChildren(defs, layers.wedges, layers.links, layers.nodes);
  renderTable(peers);
  $('#status-summary').textContent = `${self.node_id} · ${peers.filter((p) => p.kind === 'session').length} sessions · ${peers.length} peers`;
}

function link(p, x, y, angle) {
  // From the dialer to the listener: outgoing starts here, incoming ends here.
  const [ax, ay] = polar(angle, SELF_R + 4);
  const [bx, by] = polar(angle, inner() - PEER_R - 6);
  const outgoing = p.direction === 'outbound';
  const line = outgoing
    ? { x1: ax, y1: ay, x2: bx, y2: by }
    : { x1: bx, y1: by, x2: ax, y2: ay };
  return svg('g', { class: 'link' + (p.impersonation ? ' warn' : ''), 'data-link': p.fingerprint },
    svg('title', {}, `${p.nodeId}: ${p.direction} session, ${linkFigures(p)}`),
    svg('line', { ...line, 'marker-end': 'url(#arrow)' }));
}

const linkFigures = (p) => `${fmtRtt(p.rttMs)} · ↓${fmtBytes(p.bytesIn)} ↑${fmtBytes(p.bytesOut)}`;

function peerNode(p, x, y) {
  const name = p.nodeId ?? short(p.fingerprint);
  const state = p.kind === 'session' ? 'connected' : p.kind === 'heard' ? 'heard, not connected' : 'known, not connected';
  const sources = p.sources.length ? p.sources.join(', ') : '';
  return svg('g', {
    class: 'peer ' + p.kind + (p.impersonation ? ' warn' : ''), transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
    tabindex: 0, role: 'button', 'data-fingerprint': p.fingerprint, 'data-node-id': p.nodeId ?? '',
    'aria-label': `${name}, ${state}${sources ? ', via ' + sources : ''}`,
  },
  svg('circle', { r: PEER_R }),
  svg('text', { class: 'peer-initial', y: 8, 'text-anchor': 'middle' }, name.slice(0, 1).toUpperCase()),
  svg('text', { class: 'peer-label', y: PEER_R + (narrow.matches ? 42 : 26), 'text-anchor': 'middle' }, trimmed(name, 14)),
  p.kind === 'session' && !narrow.matches
    ? svg('text', { class: 'peer-stats', y: PEER_R + 48, 'text-anchor': 'middle' }, linkFigures(p)) : null,
  sources ? svg('text', {
    class: 'peer-source', y: PEER_R + (narrow.matches ? 76 : p.kind === 'session' ? 68 : 48), 'text-anchor': 'middle',
  }, 'via ' + trimmed(sources, narrow.matches ? 16 : 22)) : null);
}

function renderTable(peers) {
  const body = $('#peer-table tbody');
  const rows = [...peers].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || String(a.nodeId).localeCompare(String(b.nodeId)));
  body.replaceChildren(...rows.map((p) => el('tr', { class: p.kind },
    el('td', {}, el('button', { type: 'button', class: 'link-button', 'data-open': p.fingerprint, onclick: () => openPeer(p.fingerprint) },
      p.nodeId ?? short(p.fingerprint))),
    el('td', {}, p.sector ?? '?'),
    el('td', {}, p.kind === 'session' ? 'session ' + (p.direction ?? '') : p.kind === 'heard' ? 'heard' : 'known'),
    el('td', {}, p.sources.join(', ')),
    el('td', {}, p.kind === 'session' ? fmtRtt(p.rttMs) : ''),
    el('td', {}, p.kind === 'session' ? fmtBytes(p.bytesIn) : ''),
    el('td', {}, p.kind === 'session' ? fmtBytes(p.bytesOut) : ''))));
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No peer yet.')));
}
