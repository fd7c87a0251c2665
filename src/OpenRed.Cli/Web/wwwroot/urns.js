// URNs: what this node holds (/v1/urns), publish a chosen file (its bytes as the body of POST /v1/web/publish),
// resurrect by name with a progress bar (POST /v1/web/resurrect answers server-sent events, read with fetch),
// and a download link for what is fully held.

import { getJson, post, readEventStream, commandText, currentSession } from './api.js';
import { el, $, fmtBytes, short, toast } from './dom.js';

const POLL_MS = 5000;
let timer = null;
let visible = false;

export function init() {
  $('#publish-form').addEventListener('submit', publish);
  $('#resurrect-form').addEventListener('submit', resurrect);
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
  try {
    const data = await getJson('/v1/urns');
    render(data.urns ?? []);
  } catch (e) {
    if (visible) toast('urns: ' + e.message, 'error');
  }
}

function render(urns) {
  const body = $('#urn-table tbody');
  body.replaceChildren(...urns.map((u) => {
    const complete = u.chunk_count > 0 && u.chunks_held === u.chunk_count;
    return el('tr', { 'data-urn': u.name },
      el('td', { class: 'mono', title: `version ${u.version} · content ${u.content_id}` }, u.name),
      el('td', {}, el('span', { class: 'role role-' + u.role }, u.role)),
      el('td', {}, fmtBytes(u.size)),
      el('td', {}, `${u.chunks_held}/${u.chunk_count}`),
      el('td', {}, String(u.live_replicas)),
      el('td', { title: u.publisher }, u.publisher_node_id ?? short(u.publisher)),
      el('td', { class: 'row-actions' },
        complete ? el('a', { href: `/v1/web/urns/${encodeURIComponent(u.name)}/content`, download: '', 'data-download': u.name }, 'Download') : null,
        u.role === 'published' ? el('button', {
          type: 'button', class: 'small danger', 'data-unpublish': u.name,
          onclick: async () => {
            if (!window.confirm(`Unpublish ${u.name}? Its replicas are told to drop it.`)) return;
            try { toast(await commandText(`unpublish ${u.name}`)); } catch (e) { toast('unpublish: ' + e.message, 'error'); }
            refresh();
          },
        }, 'Unpublish') : null));
  }));
  $('#urn-empty').hidden = urns.length > 0;
}

async function publish(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const file = $('#publish-file').files[0];
  const result = $('#publish-result');
  if (!file) return;
  // The listener closes the connection on a body over its limit: the browser would show a network error, not why.
  const limit = currentSession()?.max_upload_bytes;
  if (limit && file.size > limit) {
    result.dataset.kind = 'error';
    result.textContent = `publish: ${file.name} is ${fmtBytes(file.size)}; the dashboard takes files up to ${fmtBytes(limit)} (use publish at the prompt)`;
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  result.dataset.kind = '';
  result.textContent = `publishing ${file.name} (${fmtBytes(file.size)})…`;
  const query = new URLSearchParams({ filename: file.name, type: file.type || 'application/octet-stream' });
  const name = $('#publish-name').value.trim();
  if (name) query.set('name', name);
  try {
    const response = await post('/v1/web/publish?' + query, file, { 'Content-Type': 'application/octet-stream' });
    const published = await response.json();
    const replicas = (published.replicas ?? []).map((r) => r.node_id || short(r.fingerprint));
    result.dataset.kind = 'ok';
    result.textContent = `published ${published.name} (${fmtBytes(published.size)}, ${published.chunk_count} ${published.chunk_count === 1 ? "chunk" : "chunks"}) · replicas `
      + `${replicas.length}/${published.replicas_wanted}${replicas.length ? ': ' + replicas.join(', ') : ''}`;
    form.reset();
  } catch (e) {
    result.dataset.kind = 'error';
    result.textContent = 'publish failed: ' + e.message;
  } finally {
    button.disabled = false;
    refresh();
  }
}

async function resurrect(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const urn = $('#resurrect-name').value.trim();
  if (!urn) return;
  const bar = $('#resurrect-progress');
  const result = $('#resurrect-result');
  const button = form.querySelector('button');
  button.disabled = true;
  bar.hidden = false;
  bar.removeAttribute('value'); // indeterminate until the size is known
  bar.dataset.state = 'running';
  bar.dataset.progressEvents = '0';
  result.dataset.kind = '';
  result.textContent = `looking for ${urn}…`;
  try {
    const response = await post('/v1/web/resurrect', JSON.stringify({ urn, timeout: 30 }), { 'Content-Type': 'application/json' });
    let ended = false;
    await readEventStream(response, (name, data) => {
      if (name === 'progress') {
        bar.dataset.progressEvents = String(Number(bar.dataset.progressEvents) + 1);
        if (data.total > 0) {
          bar.max = data.total;
          bar.value = data.bytes;
        }
        result.textContent = `${data.stage ?? 'fetching'}: ${fmtBytes(data.bytes)} of ${data.total ? fmtBytes(data.total) : '?'} from ${data.holders ?? 0} holder${data.holders === 1 ? '' : 's'}`;
      } else if (name === 'done') {
        ended = true;
        bar.max = data.size > 0 ? data.size : 1;
        bar.value = bar.max;
        bar.dataset.state = 'done';
        result.dataset.kind = 'ok';
        const holders = (data.holders ?? []).length;
        result.replaceChildren(
          `resurrected ${data.name} from ${data.stage} in ${Math.round(data.elapsed_ms)} ms (${fmtBytes(data.size)} from ${holders} holder${holders === 1 ? '' : 's'}) `,
          el('a', { href: `/v1/web/urns/${encodeURIComponent(data.name)}/content`, download: '', 'data-download': data.name }, 'Download'));
        if (data.warning) result.append(el('span', { class: 'warn' }, ' ' + data.warning));
      } else if (name === 'failed') {
        ended = true;
        bar.dataset.state = 'failed';
        result.dataset.kind = 'error';
        result.textContent = 'resurrect failed: ' + (data.error ?? 'unknown error');
      }
    });
    if (!ended) {
      bar.dataset.state = 'failed';
      result.dataset.kind = 'error';
      result.textContent = 'resurrect: the stream ended without an answer (node stopped?)';
    }
  } catch (e) {
    bar.dataset.state = 'failed';
    result.dataset.kind = 'error';
    result.textContent = 'resurrect failed: ' + e.message;
  } finally {
    button.disabled = false;
    refresh();
  }
}
