// attach, and the terminal side of `run -it` and `start -a -i`: the caller's terminal in raw
// mode (restored on every way out), its input to the session, its size to the container's pty
// on SIGWINCH, and the container's output to our stdout and stderr.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, type OptionDef } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine, type AttachSession, type Engine } from '../../engine/index.js';

export const DETACH_KEYS_FLAG: OptionDef = {
  long: 'detach-keys',
  type: 'string',
  description: 'override the key sequence for detaching a container (default ctrl-p,ctrl-q)',
};

/** Flows a session to and from this process's stdio until it ends; resolves with the exit code. */
/** `onDetach` runs when the user detaches (ctrl-p ctrl-q): the container lives on without us. */
export async function runSession(engine: Engine, session: AttachSession,
  o: { sigProxy: boolean; streams?: { stdout: boolean; stderr: boolean }; onDetach?: () => Promise<void> }): Promise<number>
{
  const stdin = process.stdin;
  const raw = session.tty && session.stdin && stdin.isTTY;
  const restore: (() => void)[] = [];
  try {
    if (raw) {
      stdin.setRawMode(true);
      restore.push(() => stdin.setRawMode(false));
    }
    if (session.tty && process.stdout.isTTY) {
      const resize = () => session.resize(process.stdout.rows, process.stdout.columns);
      resize();
      process.on('SIGWINCH', resize);
      restore.push(() => process.off('SIGWINCH', resize));
    }
    if (o.sigProxy && !session.tty) {
      // With a terminal, ctrl-c is a byte for the container's pty; without, we pass the signal on.
      const forward = (sig: NodeJS.Signals) => {
        engine.containers.kill(session.id, sig).catch(() => {/* exited already */});
      };
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      restore.push(() => {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
      });
    }
    if (session.stdin) {
      const onData = (d: Buffer) => session.write(d);
      const onEnd = () => session.endStdin();
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
      restore.push(() => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      });
    }
    // A stream not attached (run -a) is still read, so the container never blocks on it.
    const drained = Promise.all([pipeTo(session.stdout, o.streams?.stdout === false ? undefined : process.stdout),
      pipeTo(session.stderr, o.streams?.stderr === false ? undefined : process.stderr)]);
    const how = await session.done;
    await drained;
    if (how === 'detached') {
      await o.onDetach?.();
      return 0;
    }
  } finally {
    for (const r of restore.reverse()) r();
  }
  const final = await engine.containers.wait(session.id);
  return final.exitCode ?? 125;
}

function pipeTo(from: NodeJS.ReadableStream, to: NodeJS.WritableStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    from.on('data', (d: Buffer) => to?.write(d));
    from.on('end', resolve);
    from.on('error', () => resolve());
  });
}

/** Docker's check: a terminal for the container needs one here when input is forwarded. */
export function needTerminal(tty: boolean, stdin: boolean): void {
  if (tty && stdin && !process.stdin.isTTY) throw invalid('run.no_tty', 'the input device is not a TTY', 'drop -t when stdin is not a terminal');
}

export async function attachCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    DETACH_KEYS_FLAG,
    { long: 'no-stdin', type: 'boolean', description: 'do not attach stdin' },
    { long: 'sig-proxy', type: 'boolean', description: 'proxy all received signals to the process (default true)' },
    { long: 'help', type: 'boolean' },
  ], { command: c.path });
  if (p.positionals.length !== 1)
    throw invalid('cli.missing_argument', '"berth attach" requires exactly 1 argument', 'usage: berth attach [OPTIONS] CONTAINER');
  const engine = createEngine(c.config);
  const sigProxy = p.values['sig-proxy'] !== false;
  const wantIn = !bool(p.values['no-stdin']);
  const ctr = await engine.containers.get(p.positionals[0]!);
  needTerminal(ctr.spec.tty === true, wantIn && ctr.spec.openStdin === true);
  const dk = str(p.values['detach-keys']);
  const session = await engine.containers.attach(ctr.id, { stdin: wantIn, ...(dk !== undefined ? { detachKeys: dk } : {}) });
  return runSession(engine, session, { sigProxy });
}
