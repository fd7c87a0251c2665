// The log's last lines (/v1/web/log, newest last) at or above the chosen level, refetched every 3 s while shown.

import { getJson } from './api.js';
import { el, $, toast } from './dom.js';

const POLL_MS = 3000;
let timer = null;
let visible = false;

export function init() {
  const select = $('#log-level');
  try { select.value = localStorage.getItem('openred.log-level') ?? select.value; } catch { /* keep the default */ }
  select.addEventListener('change', () => {
    try { localStorage.setItem('openred.log-level', select.value); } catch { /* not kept */ }
    refresh();
  });
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

export async function refresh() {
  if (!visible) return;
  try {
    const level = $('#log-level').value;
    const lines = await getJson(`/v1/web/log?level=${encodeURIComponent(level)}&lines=200`);
    const list = $('#log-lines');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const entries = Array.isArray(lines) ? lines : (lines.lines ?? lines.entries ?? []);
    list.replaceChildren(...entries.map((l) => el('li', { class: 'log-line level-' + String(l.level).toLowerCase() },
      el('time', { datetime: l.time }, formatTime(l.time)),
      el('span', { class: 'level' }, shortLevel(l.level)),
      el('span', { class: 'log-message' }, l.message))));
    if (entries.length === 0) list.append(el('li', { class: 'empty' }, 'No line at this level yet.'));
    if (atBottom) list.scrollTop = list.scrollHeight;
  } catch (e) {
    toast('log: ' + e.message, 'error');
  }
}

function formatTime(time) {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? String(time ?? '') : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const LEVELS = { verbose: 'VRB', trace: 'TRC', debug: 'DBG', information: 'INF', warning: 'WRN', error: 'ERR', fatal: 'FTL', critical: 'CRT' };
const shortLevel = (level) => LEVELS[String(level).toLowerCase()] ?? String(level).slice(0, 3).toUpperCase();
