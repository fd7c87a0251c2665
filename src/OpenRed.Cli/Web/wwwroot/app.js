// Entry point: the session, the event stream, the status bar and the hash routes (#constellation, #node, …).
// Each view module exports init() once and show()/hide() as its tab comes and goes.

import { loadSession, currentSession } from './api.js';
import { startEvents, onStreamState } from './events.js';
import { $ } from './dom.js';
import * as constellation from './constellation.js';
import * as node from './node.js';
import * as urns from './urns.js';
import * as friends from './friends.js';
import * as log from './log.js';

const views = { constellation, node, urns, friends, log };
let current = null;

function route() {
  const name = (location.hash.replace(/^#/, '').split('/')[0]) || 'constellation';
  const next = views[name] ? name : 'constellation';
  if (next === current) return;
  if (current) {
    views[current].hide?.();
    $('#view-' + current).hidden = true;
  }
  current = next;
  $('#view-' + current).hidden = false;
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.view === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = 'OpenRed · ' + $('#view-' + current + ' h1').textContent;
  views[current].show?.();
}

function showStreamState(state) {
  const badge = $('#stream-state');
  badge.dataset.state = state;
  badge.textContent = state === 'live' ? '● live' : state === 'reconnecting' ? '○ reconnecting…' : '○ connecting…';
}

async function boot() {
  try {
    const session = await loadSession();
    $('#node-name').textContent = session.nodeId ?? session.node_id ?? '';
  } catch {
    // 401: the banner (body.unauthorized) says to open the printed link; nothing else can work.
    return;
  }
  for (const view of Object.values(views)) view.init();
  onStreamState((state, reconnected) => {
    showStreamState(state);
    if (reconnected) {
      const session = currentSession();
      if (session) $('#node-name').textContent = session.nodeId ?? session.node_id ?? '';
      for (const view of Object.values(views)) view.refresh?.();
    }
  });
  startEvents();
  window.addEventListener('hashchange', route);
  route();
}

boot();
