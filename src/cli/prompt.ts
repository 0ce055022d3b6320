// Asking the user at the terminal, as docker and podman login do: a line with echo (a user name)
// or a secret without (a password). The prompt goes to stderr, so stdout stays clean. The terminal
// is put in raw mode before the prompt is shown, so nothing typed after it is ever echoed by the
// terminal itself, and it is put back however the read ends (Enter, Ctrl-C, Ctrl-D, SIGINT; Node
// itself resets the terminal when another signal ends the process).
import { BerthError } from '../common/errors.js';

/** Whether the user can be asked: standard input is a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true;
}

/** Reads one line from the terminal, echoing what is typed. */
export function promptLine(question: string): Promise<string> {
  return readTerminal(question, true);
}

/** Reads one line from the terminal without showing it. */
export function promptSecret(question: string): Promise<string> {
  return readTerminal(question, false);
}

const interrupted = () => new BerthError('InvalidArgument', 'cli.interrupted', 'interrupted', { exitCode: 130 });

// Escape sequences (arrow keys, function keys, bracketed-paste markers) are not text.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g;

function readTerminal(question: string, echo: boolean): Promise<string> {
  const stdin = process.stdin;
  const err = process.stderr;
  return new Promise((resolve, reject) => {
    let line = '';
    const restore = () => {
      stdin.off('data', onData);
      process.off('SIGINT', onSigint);
      process.off('exit', restore);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    };
    const finish = (f: () => void) => {
      restore();
      err.write('\n');
      f();
    };
    const onSigint = () => finish(() => reject(interrupted()));
    const onData = (chunk: string) => {
      for (const ch of chunk.replace(ESCAPES, '')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(line));
        if (ch === '\x03') return finish(() => reject(interrupted())); // Ctrl-C
        if (ch === '\x04') { // Ctrl-D: end of input on an empty line, ignored otherwise
          if (line === '') return finish(() => resolve(line));
          continue;
        }
        if (ch === '\x7f' || ch === '\b') { // Backspace
          if (line.length > 0) {
            const last = [...line].pop()!;
            line = line.slice(0, line.length - last.length);
            if (echo) err.write('\b \b');
          }
          continue;
        }
        if (ch === '\x15') { // Ctrl-U: drop the whole line
          if (echo) err.write('\b \b'.repeat([...line].length));
          line = '';
          continue;
        }
        if (ch < ' ') continue; // other control characters
        line += ch;
        if (echo) err.write(ch);
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    process.on('exit', restore);
    process.on('SIGINT', onSigint);
    stdin.on('data', onData);
    stdin.resume();
    err.write(question);
  });
}
