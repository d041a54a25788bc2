// The juggler demo's page at `/`: one self-contained HTML file (no assets, no build step)
// whose script speaks Juggler over the browser's WebSocket: `'0'`/`'1'` segments, `'2'` pings
// answered with `'3'`, state diffs as JSON Patch applied to a local copy of the state.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The page's script. Plain ES2020 run by the browser (and by the tests in a vm). It only uses
 * `textContent`, never HTML, so server data cannot inject markup.
 */
export function demoScript(wsPath: string): string {
  return `'use strict';
(() => {
  const WS_PATH = ${JSON.stringify(wsPath)};
  const $ = (id) => document.getElementById(id);
  let state = null;
  let nextId = 1;
  let partial = '';
  const sentAt = new Map();
  const show = () => { $('state').textContent = JSON.stringify(state, null, 2); };
  const log = (kind, text) => {
    const line = document.createElement('div');
    line.className = kind;
    line.textContent = new Date().toLocaleTimeString() + ' ' + kind + ' ' + text;
    const box = $('log');
    box.insertBefore(line, box.firstChild);
    while (box.childNodes.length > 100) box.removeChild(box.lastChild);
  };
  const unescape = (t) => t.replace(/~1/g, '/').replace(/~0/g, '~');
  const keys = (pointer) => (pointer === '' ? [] : pointer.split('/').slice(1).map(unescape));
  const get = (doc, ks) => ks.reduce((d, k) => d[Array.isArray(d) ? Number(k) : k], doc);
  const put = (doc, ks, value, insert) => {
    if (ks.length === 0) return value;
    const parent = get(doc, ks.slice(0, -1));
    const k = ks[ks.length - 1];
    if (!Array.isArray(parent)) parent[k] = value;
    else if (!insert) parent[Number(k)] = value;
    else parent.splice(k === '-' ? parent.length : Number(k), 0, value);
    return doc;
  };
  const take = (doc, ks) => {
    const parent = get(doc, ks.slice(0, -1));
    const k = ks[ks.length - 1];
    if (Array.isArray(parent)) return parent.splice(Number(k), 1)[0];
    const v = parent[k];
    delete parent[k];
    return v;
  };
  const copy = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
  const applyOp = (doc, op) => {
    switch (op.op) {
      case 'add': return put(doc, keys(op.path), copy(op.value), true);
      case 'replace': return put(doc, keys(op.path), copy(op.value), false);
      case 'remove': take(doc, keys(op.path)); return doc;
      case 'move': { const v = take(doc, keys(op.from)); return put(doc, keys(op.path), v, true); }
      case 'copy': return put(doc, keys(op.path), copy(get(doc, keys(op.from))), true);
      case 'test': return doc;
      default: throw new Error('unknown patch op ' + op.op);
    }
  };
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + WS_PATH;
  const ws = new WebSocket(url);
  const received = (msg) => {
    if (msg.type === 'state') {
      state = msg.diff.reduce(applyOp, state);
      show();
    } else if (msg.type === 'response') {
      const name = sentAt.get(msg.id);
      sentAt.delete(msg.id);
      log(msg.success ? 'response' : 'error', name + ' #' + msg.id + ': ' + JSON.stringify(msg.data));
    } else if (msg.type === 'notify') {
      log('notify', msg.name + ': ' + JSON.stringify(msg.data));
    }
  };
  ws.onopen = () => { $('status').textContent = 'connected to ' + url; };
  ws.onclose = () => { $('status').textContent = 'disconnected (reload to reconnect)'; };
  ws.onmessage = (ev) => {
    const frame = String(ev.data);
    const header = frame[0];
    if (header === '2') { ws.send('3'); return; }
    if (header === '3') return;
    if (header !== '0' && header !== '1') { ws.close(); return; }
    partial += frame.slice(1);
    if (header === '1') return;
    const text = partial;
    partial = '';
    received(JSON.parse(text));
  };
  $('request').addEventListener('submit', (ev) => {
    ev.preventDefault();
    let data;
    try {
      const text = $('data').value.trim();
      data = text === '' ? null : JSON.parse(text);
    } catch (e) {
      log('error', 'data is not JSON: ' + e.message);
      return;
    }
    const id = nextId++;
    const name = $('name').value;
    sentAt.set(id, name);
    ws.send('0' + JSON.stringify({ type: 'request', id, name, data }));
    log('request', name + ' #' + id + ': ' + JSON.stringify(data));
  });
})();
`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}
pre,textarea,input{font-family:ui-monospace,monospace}
pre{background:#f4f4f4;padding:1em;min-height:3em;overflow:auto}
textarea{width:100%;height:5em}#log div{font-family:ui-monospace,monospace;white-space:pre-wrap}
.error{color:#b00}.notify{color:#06c}.request{color:#666}`;

/** The page, with the script inline. */
export function demoPage(wsPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hat-juggler-demo</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Juggler demo</h1>
<p id="status">connecting…</p>
<h2>State</h2>
<pre id="state">null</pre>
<h2>Request</h2>
<form id="request">
<p><label>name <input id="name" list="names" value="set"></label>
<datalist id="names"><option value="set"><option value="get_state"><option value="echo"><option value="notify"><option value="fail"></datalist></p>
<p><label>data (JSON)<br><textarea id="data">{"counter": 1}</textarea></label></p>
<p><button type="submit">send</button></p>
</form>
<p><code>set</code> replaces this connection's state, <code>get_state</code> returns it,
<code>echo</code> answers <code>{name, data}</code>, <code>notify</code> sends
<code>{"name": n, "data": d}</code> back as a notification, <code>fail</code> fails.</p>
<h2>Log</h2>
<div id="log"></div>
<script>${demoScript(wsPath)}</script>
</body>
</html>
`;
}

/** `GET /` or `HEAD /` (any query string). */
export function isRootRequest(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0];
  return path === '/' && (req.method === 'GET' || req.method === 'HEAD');
}

/**
 * An `HttpRouteHandler` answering `GET /` (and `HEAD /`) with the page. Its Content-Security-
 * Policy allows only the inline script (by hash), the inline style and WebSocket connections.
 */
export function demoPageRoute(
  wsPath: string,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const page = demoPage(wsPath);
  const hash = (text: string): string =>
    `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(demoScript(wsPath))}`,
    `style-src ${hash(STYLE)}`,
    "connect-src 'self' ws: wss:",
  ].join('; ');
  const body = Buffer.from(page, 'utf8');
  return (req, res) => {
    if (!isRootRequest(req)) return false;
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': body.length,
      'Content-Security-Policy': csp,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
