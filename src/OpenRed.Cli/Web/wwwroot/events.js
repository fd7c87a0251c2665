// The node's event stream (/v1/events) and the live/reconnecting state shown in the status bar. The browser's
// EventSource reconnects by itself after a dropped stream; when it gives up (the node answered an error while
// restarting) a new one is opened with a growing delay. Every (re)connection is announced, so views refetch
// what they may have missed.

import { loadSession } from './api.js';

// Events are sent with their type as the SSE event name; unnamed ones arrive as 'message'.
const TYPES = [
  'peer_heard', 'peer_lost', 'session_opened', 'session_closed', 'impersonation',
  'friend_request_received', 'friend_response_received', 'chat_message_received', 'chat_delivered',
];

const listeners = new Set();
const stateListeners = new Set();
let state = 'connecting';
let source = null;
let retryDelay = 1000;
let everOpened = false;

/** fn(event) for each node event; event.type is the snake_case type. */
export const onNodeEvent = (fn) => listeners.add(fn);

/** fn(state, reconnected) on 'live' | 'reconnecting' | 'connecting'. */
export function onStreamState(fn) {
  stateListeners.add(fn);
  fn(state, false);
}

export const streamState = () => state;

function setState(next, reconnected = false) {
  if (next === state && !reconnected) return;
  state = next;
  for (const fn of stateListeners) fn(state, reconnected);
}

function dispatch(message) {
  let data;
  try { data = JSON.parse(message.data); } catch { return; }
  if (!data.type && message.type !== 'message') data.type = message.type;
  for (const fn of listeners) {
    try { fn(data); } catch (e) { console.error(e); }
  }
}

export function startEvents() {
  if (source) source.close();
  source = new EventSource('/v1/events');
  source.addEventListener('open', async () => {
    retryDelay = 1000;
    const reconnected = everOpened;
    everOpened = true;
    // A restarted node has a new CSRF value: take it before anything posts.
    if (reconnected) {
      try { await loadSession(); } catch { /* the next request shows the error */ }
    }
    setState('live', reconnected);
  });
  source.addEventListener('error', () => {
    setState(everOpened ? 'reconnecting' : 'connecting');
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(startEvents, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    }
  });
  source.addEventListener('message', dispatch);
  for (const type of TYPES) source.addEventListener(type, dispatch);
}
