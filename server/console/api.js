// The API client: the token from sessionStorage as `Authorization: Bearer`, JSON in and out,
// and the live event stream read with fetch (so the token never goes into a URL).

const TOKEN_KEY = 'orchestrator.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API error: the status and the server's `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; resolves to the JSON body, rejects with an ApiError. */
export async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = json && json.error ? json.error : { code: 'HTTP', message: `${response.status} ${response.statusText}` };
    if (response.status === 401) window.dispatchEvent(new CustomEvent('unauthorized'));
    throw new ApiError(response.status, error.code, error.message);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body ?? {});

/**
 * Follows /api/events: calls `onEvent({kind, ...})` per event and `onState(connected)` as the
 * stream comes and goes; reconnects after a second. Returns a function that stops it.
 */
export function follow(onEvent, onState) {
  const stop = new AbortController();
  (async () => {
    while (!stop.signal.aborted) {
      try {
        const response = await fetch('/api/events', {
          headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' },
          signal: stop.signal,
        });
        if (response.status === 401) {
          window.dispatchEvent(new CustomEvent('unauthorized'));
          return;
        }
        onState(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
            if (!data) continue;
            try {
              onEvent(JSON.parse(data));
            } catch {
              onEvent({ kind: 'unreadable' });
            }
          }
        }
      } catch {
        // The stream broke (or was stopped): try again below.
      }
      onState(false);
      if (!stop.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return () => stop.abort();
}
