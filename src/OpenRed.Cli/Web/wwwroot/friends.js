// Friends and chat: requests in and out (accept, decline, withdraw), friends with unread counts, and one
// conversation (chat <peer> --json) that follows the node's events: a message received or a delivery receipt
// refetches it, with no reload. Unread counts come from GET /v1/friends (`unread` per friend), which marks nothing
// read, so the prompt's `inbox` still hands the messages over; opening a conversation reads it, on the node.

import { getJson, commandJson, commandText } from './api.js';
import { onNodeEvent } from './events.js';
import { el, $, fmtTime, debounce, toast } from './dom.js';

let friends = [];
let openPeer = null; // {fingerprint, nodeId}
let visible = false;

function showTotal() {
  const total = friends.reduce((a, f) => a + (f.unread ?? 0), 0);
  const badge = $('#unread-total');
  badge.hidden = total === 0;
  badge.textContent = String(total);
  badge.setAttribute('aria-label', `${total} unread`);
}

export function init() {
  $('#chat-form').addEventListener('submit', send);
  $('#chat-close').addEventListener('click', closeConversation);
  onNodeEvent((e) => {
    // An event without a fingerprint (an older node) may be about the open conversation: refetch it.
    const aboutOpen = openPeer && (!e.fingerprint || e.fingerprint === openPeer.fingerprint);
    if (e.type === 'chat_message_received') {
      // The open conversation, when seen, reads the message (chat marks it read) before the counts are refetched.
      if (aboutOpen && visible) scheduleChat(); else scheduleList();
    } else if (e.type === 'chat_delivered') {
      if (aboutOpen) scheduleChat();
    } else if (e.type === 'friend_request_received' || e.type === 'friend_response_received'
      || e.type === 'session_opened' || e.type === 'session_closed') {
      scheduleList();
    }
  });
  refreshList();
}

export function show() {
  visible = true;
  refresh();
}

export function hide() {
  visible = false;
}

export function refresh() {
  if (openPeer) loadChat(); else refreshList();
}

const scheduleList = debounce(() => refreshList(), 200);
const scheduleChat = debounce(() => loadChat(), 150);

async function refreshList() {
  try {
    friends = (await getJson('/v1/friends')).friends ?? [];
    showTotal();
    renderList();
  } catch (e) {
    if (visible) toast('friends: ' + e.message, 'error');
  }
}

function stateMark(f) {
  if (f.state === 'pending_out') return f.delivered ? 'request delivered, waiting' : 'request queued';
  if (f.state === 'pending_in') return 'asks to be friends';
  return f.state;
}

function peerAction(label, line, name, kind = '') {
  return el('button', {
    type: 'button', class: 'small ' + kind, 'data-action': name,
    onclick: async () => {
      try { toast(await commandText(line) || label + ': done'); } catch (e) { toast(`${label}: ${e.message}`, 'error'); }
      refreshList();
    },
  }, label);
}

function renderList() {
  const requests = friends.filter((f) => f.state === 'pending_in' || f.state === 'pending_out');
  const mine = friends.filter((f) => f.state === 'friend');
  const blocked = friends.filter((f) => f.state === 'blocked');
  $('#requests').replaceChildren(...requests.map((f) => el('li', { class: 'item ' + f.state, 'data-friend': f.node_id },
    el('div', { class: 'item-main' },
      el('span', { class: 'name' }, f.node_id), el('span', { class: 'muted' }, ' ' + (f.state === 'pending_in' ? '→ you' : 'you →')),
      f.message ? el('p', { class: 'quote' }, f.message) : null,
      el('p', { class: 'muted small-text' }, stateMark(f), ' · safety code ', el('span', { class: 'mono' }, f.safety_code))),
    el('div', { class: 'item-actions' },
      f.state === 'pending_in' ? [
        peerAction('Accept', `friend accept ${f.fingerprint}`, 'accept'),
        peerAction('Decline', `friend decline ${f.fingerprint}`, 'decline', 'danger'),
      ] : peerAction('Withdraw', `friend remove ${f.fingerprint}`, 'withdraw')))));
  if (requests.length === 0) $('#requests').append(el('li', { class: 'empty' }, 'No request.'));

  $('#friends').replaceChildren(...mine.map((f) => {
    const count = f.unread ?? 0;
    return el('li', { class: 'item friend' + (openPeer?.fingerprint === f.fingerprint ? ' selected' : ''), 'data-friend': f.node_id },
      el('button', {
        type: 'button', class: 'friend-open', 'data-open-chat': f.node_id,
        'aria-label': `${f.node_id}, ${f.online ? 'online' : 'offline'}${count ? `, ${count} unread` : ''}`,
        onclick: () => openConversation(f),
      },
      el('span', { class: 'dot ' + (f.online ? 'online' : 'offline'), 'aria-hidden': 'true' }),
      el('span', { class: 'name' }, f.node_id),
      count ? el('span', { class: 'badge', 'data-unread': String(count) }, String(count)) : null),
      el('span', { class: 'muted small-text' }, 'safety code ', el('span', { class: 'mono' }, f.safety_code)));
  }), ...blocked.map((f) => el('li', { class: 'item blocked', 'data-friend': f.node_id },
    el('span', { class: 'name' }, f.node_id), el('span', { class: 'muted' }, ' blocked '),
    peerAction('Unblock', `unblock ${f.fingerprint}`, 'unblock'))));
  if (mine.length + blocked.length === 0) $('#friends').append(el('li', { class: 'empty' }, 'No friend yet: open a peer in the constellation and send a friend request.'));
}

function openConversation(f) {
  openPeer = { fingerprint: f.fingerprint, nodeId: f.node_id };
  $('#conversation').hidden = false;
  $('#chat-title').textContent = f.node_id;
  $('#messages').replaceChildren();
  renderList();
  loadChat();
  $('#chat-text').focus();
}

function closeConversation() {
  const nodeId = openPeer?.nodeId;
  openPeer = null;
  $('#conversation').hidden = true;
  renderList();
  if (nodeId) document.querySelector(`[data-open-chat="${CSS.escape(nodeId)}"]`)?.focus();
}

const MARKS = { queued: '… queued', sent: '✓ sent', delivered: '✓✓ delivered', received: '' };

async function loadChat() {
  const peer = openPeer;
  if (!peer) return;
  try {
    const chat = await commandJson(`chat ${peer.fingerprint} --json`);
    if (openPeer !== peer) return;
    const list = $('#messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...(chat.messages ?? []).map((m) => el('li', {
      class: 'message ' + (m.outgoing ? 'out' : 'in'), 'data-state': m.state, 'data-message-id': m.message_id,
    },
    el('p', { class: 'text' }, m.text),
    el('p', { class: 'meta' }, fmtTime(m.outgoing ? m.sent_at_ms : (m.received_at_ms ?? m.sent_at_ms)),
      m.outgoing ? el('span', { class: 'mark', title: m.state }, ' ' + MARKS[m.state]) : null))));
    if (!chat.messages?.length) list.append(el('li', { class: 'empty' }, `No message with ${peer.nodeId} yet.`));
    if (atBottom || list.children.length < 30) list.scrollTop = list.scrollHeight;
  } catch (e) {
    toast('chat: ' + e.message, 'error');
  }
  refreshList(); // the chat just read this friend's messages: its badge goes
}

async function send(event) {
  event.preventDefault();
  const input = $('#chat-text');
  const text = input.value.replace(/[\r\n]+/g, ' ').trim();
  if (!text || !openPeer) return;
  input.disabled = true;
  try {
    await commandText(`msg ${openPeer.fingerprint} ${text}`);
    input.value = '';
  } catch (e) {
    toast('send: ' + e.message, 'error');
  } finally {
    input.disabled = false;
    input.focus();
    loadChat();
  }
}

