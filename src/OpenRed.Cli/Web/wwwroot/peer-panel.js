// The side panel of one peer: what the map knows, its profile and safety code (profile show --json), its
// thumbnail, and the actions connect, disconnect, friend request and block (prompt lines through /v1/command).

import { commandJson, commandText } from './api.js';
import { el, $, fmtBytes, fmtRtt, fmtDuration, toast } from './dom.js';

let current = null;
let afterAction = () => {};
let profileFor = null;

export const panelPeer = () => current?.fingerprint ?? null;

export function initPanel() {
  $('#peer-close').addEventListener('click', closePeerPanel);
  $('#peer-panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') closePeerPanel(); });
}

export function closePeerPanel() {
  const fingerprint = current?.fingerprint;
  current = null;
  profileFor = null;
  $('#peer-panel').hidden = true;
  // Back to the peer the panel was opened from, for keyboard users.
  if (fingerprint) document.querySelector(`#map [data-fingerprint="${fingerprint}"]`)?.focus();
}

export function openPeerPanel(peer, refresh) {
  afterAction = refresh;
  current = peer;
  profileFor = null;
  render();
  $('#peer-panel').hidden = false;
  $('#peer-close').focus();
}

/** The map refreshed: the same peer with fresh figures, or null when it left the map. */
export function refreshPeerPanel(peer) {
  if (!current) return;
  current = peer ?? { ...current, kind: 'gone' };
  render();
}

function endpoint(peer) {
  if (!peer.address || !peer.port) return null;
  return peer.address.includes(':') ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`;
}

function render() {
  const p = current;
  $('#peer-title').textContent = p.nodeId ?? 'Peer';
  const state = { session: `session, ${p.direction ?? ''}`, heard: 'heard, not connected', known: 'known, not connected', gone: 'gone' }[p.kind];
  const facts = el('dl', { class: 'facts' },
    el('dt', {}, 'fingerprint'), el('dd', { class: 'mono fingerprint', 'data-field': 'fingerprint' }, p.fingerprint),
    el('dt', {}, 'state'), el('dd', { 'data-field': 'state' }, state),
    el('dt', {}, 'sector'), el('dd', {}, p.sector ?? '?'),
    el('dt', {}, 'address'), el('dd', { class: 'mono' }, endpoint(p) ?? '–'),
    el('dt', {}, 'source'), el('dd', {}, p.sources?.length ? p.sources.join(', ') : '–'),
    p.kind === 'session' ? [
      el('dt', {}, 'round-trip'), el('dd', {}, fmtRtt(p.rttMs)),
      el('dt', {}, 'bytes in / out'), el('dd', {}, `${fmtBytes(p.bytesIn)} / ${fmtBytes(p.bytesOut)}`),
      el('dt', {}, 'age'), el('dd', {}, fmtDuration(p.ageMs)),
    ] : null,
    p.impersonation ? [el('dt', { class: 'warn' }, 'warning'), el('dd', { class: 'warn' }, 'possible impersonation: this node-id was linked to another fingerprint')] : null);

  const actions = el('div', { class: 'actions' },
    p.kind !== 'session' && endpoint(p)
      ? action('connect', 'Connect', `connect ${endpoint(p)} --expect ${p.fingerprint}`) : null,
    p.kind === 'session' ? action('disconnect', 'Disconnect', `disconnect ${p.fingerprint}`) : null,
    action('friend', 'Friend request', `friend add ${p.fingerprint}`),
    action('block', 'Block', `block ${p.fingerprint}`, `Block ${p.nodeId ?? p.fingerprint}? Its sessions close and it is refused from now on.`));

  // Re-rendered on each map refresh: keep the focused button and the last result.
  const focused = document.activeElement?.dataset?.action;
  const previous = $('#peer-result');
  const result = el('p', { id: 'peer-result', class: 'result', role: 'status' });
  if (previous && previous.dataset.for === p.fingerprint) {
    result.textContent = previous.textContent;
    result.dataset.kind = previous.dataset.kind ?? '';
  }
  result.dataset.for = p.fingerprint;
  const profile = el('div', { id: 'peer-profile', class: 'profile' });
  $('#peer-body').replaceChildren(profile, facts, actions, result);
  if (focused) $(`#peer-body [data-action="${focused}"]`)?.focus();
  loadProfile(p.fingerprint, profile);
}

const cachedProfiles = new Map();

async function loadProfile(fingerprint, box) {
  const paint = (content) => { if (current?.fingerprint === fingerprint) box.replaceChildren(...content); };
  if (cachedProfiles.has(fingerprint)) paint(cachedProfiles.get(fingerprint)());
  if (profileFor === fingerprint) return;
  profileFor = fingerprint;
  try {
    const profile = await commandJson(`profile show ${fingerprint} --json`);
    const view = () => {
      const thumb = el('img', {
        class: 'thumb', alt: `${profile.display_name || profile.node_id}'s picture`, width: 96, height: 96,
        src: `/v1/web/peers/${encodeURIComponent(fingerprint)}/thumbnail?at=${profile.updated_at_ms ?? 0}`,
      });
      thumb.addEventListener('error', () => thumb.remove());
      return [
        profile.thumbnail_bytes > 0 ? thumb : null,
        el('div', { class: 'profile-text' },
          el('p', { class: 'display-name' }, profile.display_name || profile.node_id || ''),
          profile.profession ? el('p', { class: 'profession' }, profile.profession) : null,
          profile.bio ? el('p', { class: 'bio' }, profile.bio) : null,
          el('p', { class: 'safety' }, el('span', { class: 'muted' }, 'safety code '), el('span', { class: 'mono', 'data-field': 'safety-code' }, profile.safety_code ?? '')),
          profile.fresh === false ? el('p', { class: 'muted' }, 'kept copy, not refreshed from the peer') : null),
      ].filter(Boolean);
    };
    cachedProfiles.set(fingerprint, view);
    paint(view());
  } catch (e) {
    const view = () => [el('p', { class: 'muted' }, 'No profile: ' + e.message)];
    cachedProfiles.set(fingerprint, view);
    paint(view());
  }
}

function action(name, label, line, confirmText) {
  return el('button', {
    type: 'button', 'data-action': name, class: name === 'block' ? 'danger' : '',
    onclick: async (event) => {
      if (confirmText && !window.confirm(confirmText)) return;
      const button = event.currentTarget;
      button.disabled = true;
      const result = $('#peer-result');
      try {
        const text = await commandText(line);
        result.textContent = text || `${label}: done`;
        result.dataset.kind = 'ok';
      } catch (e) {
        result.textContent = `${label}: ${e.message}`;
        result.dataset.kind = 'error';
        toast(`${label}: ${e.message}`, 'error');
      } finally {
        button.disabled = false;
        afterAction();
      }
    },
  }, label);
}
