// The exec terminal of the container page: xterm.js on a WebSocket to /ui/api/containers/REF/exec
// (src/ui/terminal.ts), a shell on a pty in the container. Its size follows the element's.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

export function TerminalPanel({ id }: { id: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<string>('connecting…');
  useEffect(() => {
    const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, rows: 16 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current!);
    fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ui/api/containers/${encodeURIComponent(id)}/exec?cols=${term.cols}&rows=${term.rows}`);
    ws.binaryType = 'arraybuffer';
    const enc = new TextEncoder();
    ws.onopen = () => setState('connected: /bin/sh');
    ws.onmessage = (m: MessageEvent<ArrayBuffer>) => term.write(new Uint8Array(m.data));
    ws.onclose = (e) => setState(`closed${e.reason ? `: ${e.reason}` : ''}`);
    const input = term.onData((d) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(d));
    });
    // The size the page believes, for a test to compare with `stty size` in the shell.
    const mark = () => el.current?.setAttribute('data-size', `${term.rows} ${term.cols}`);
    mark();
    const resized = term.onResize(({ cols, rows }) => {
      mark();
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ resize: [cols, rows] }));
    });
    const ro = new ResizeObserver(() => fit.fit());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      input.dispose();
      resized.dispose();
      ws.close();
      term.dispose();
    };
  }, [id]);
  return html`<section aria-labelledby="h-term">
    <h2 id="h-term">Terminal</h2>
    <p class="muted" aria-live="polite">${state}</p>
    <div class="term-box" ref=${el}></div>
  </section>`;
}
