// The node's HTTP API, as the pages use it. The token is an HttpOnly cookie the browser sends by itself; every
// state-changing request carries the CSRF value of GET /v1/web/session, fetched again after a node restart.

let session = null;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function errorOf(response) {
  let message = response.status + ' ' + response.statusText;
  try {
    const body = await response.json();
    if (body && body.error) message = body.error;
  } catch { /* not JSON: keep the status line */ }
  if (response.status === 401) document.body.classList.add('unauthorized');
  return new ApiError(message, response.status);
}

export async function loadSession() {
  const response = await fetch('/v1/web/session', { cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  session = await response.json();
  document.body.classList.remove('unauthorized');
  return session;
}

export const currentSession = () => session;

export async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** A POST with the CSRF header; a 403 after a node restart (new CSRF value) is retried once with a fresh session. */
export async function post(path, body, headers = {}, signal = undefined) {
  if (!session) await loadSession();
  const send = () => fetch(path, {
    method: 'POST',
    body,
    signal,
    headers: { ...headers, 'X-OpenRed-CSRF': session.csrf },
  });
  let response = await send();
  if (response.status === 403 && !(body instanceof ReadableStream)) {
    const before = session.csrf;
    await loadSession();
    if (session.csrf !== before) response = await send();
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** Runs one prompt line; returns {exit_code, stdout, stderr}. */
export async function command(line) {
  const response = await post('/v1/command', JSON.stringify({ line: line.replace(/[\r\n]+/g, ' ') }),
    { 'Content-Type': 'application/json' });
  const result = await response.json();
  result.exit_code ??= result.exitCode;
  return result;
}

/** Runs a prompt line that prints JSON (--json); throws with the command's own error line when it fails. */
export async function commandJson(line) {
  const result = await command(line);
  if (result.exit_code !== 0) {
    const first = (result.stderr || result.stdout || 'the command failed').split('\n').find((l) => l.trim()) ?? '';
    throw new ApiError(first.replace(/^openred: /, ''), 200);
  }
  return JSON.parse(result.stdout);
}

/** Runs a prompt line for its effect; returns its first output line, or throws with its error line. */
export async function commandText(line) {
  const result = await command(line);
  const first = (text) => (text || '').split('\n').find((l) => l.trim()) ?? '';
  if (result.exit_code !== 0) throw new ApiError(first(result.stderr || result.stdout).replace(/^openred: /, '') || 'the command failed', 200);
  return first(result.stdout);
}

/**
 * Reads a text/event-stream answer of a POST (EventSource can only GET): calls onEvent(name, data) per frame.
 */
export async function readEventStream(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length === 0) continue;
      let parsed;
      try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
      onEvent(name, parsed);
    }
  }
}
