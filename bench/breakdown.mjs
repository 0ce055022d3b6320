// node bench/breakdown.mjs OUTDIR > breakdown.md
// Summarises what bench/profile.sh recorded: the timelines of timing-hook.mjs (medians over the
// runs) and the --cpu-prof profiles (self time by category and the costliest functions).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

// "runc --root /run/x start ID" -> "runc start"; other programs by name only
function programKey(cmd) {
  const [prog, ...args] = cmd.split(' ');
  if (prog === 'runc' || prog === 'crun') {
    const verb = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--root' && !a.includes('/'));
    return `${prog} ${verb ?? ''}`.trim();
  }
  if (prog === 'ip') return args.includes('-batch') ? 'ip -batch' : `ip ${args.find((a) => !a.startsWith('-')) ?? ''}`.trim();
  return prog;
}

function unionLength(intervals) {
  const s = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur = null;
  for (const [a, b] of s) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

function timeline(key) {
  const f = join(dir, `timeline.${key}.jsonl`);
  if (!existsSync(f)) return null;
  const runs = readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const per = runs.map(({ events }) => {
    const js = events.find((e) => e.ev === 'js')?.t ?? 0;
    const exit = events.find((e) => e.ev === 'exit')?.t ?? NaN;
    const kids = events.filter((e) => e.ev === 'sync' || e.ev === 'spawn');
    const progs = {};
    const spans = [];
    for (const k of kids) {
      // an async child (conmon) counts until it answered on its sync pipe, or exited
      const end = k.ev === 'spawn' ? (k.firstData ?? k.end ?? exit) : k.end;
      const name = programKey(k.cmd) + (k.ev === 'spawn' ? ' (until sync pipe)' : '');
      progs[name] ??= { n: 0, ms: 0 };
      progs[name].n += 1;
      progs[name].ms += end - k.t;
      spans.push([k.t, end]);
    }
    const firstKid = kids.length ? Math.min(...kids.map((k) => k.t)) : exit;
    const inKids = unionLength(spans);
    return { boot: js, before: firstKid - js, inKids, jsOwn: exit - js - inKids, exit, progs, nKids: kids.length };
  });
  return { runs: per };
}

function cpuProfile(key) {
  const d = join(dir, 'cpuprof', key);
  if (!existsSync(d)) return null;
  const files = readdirSync(d).filter((f) => f.endsWith('.cpuprofile'));
  const cats = {};
  const fns = {};
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(d, f), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const stackOf = (id) => {
      const s = [];
      for (let x = id; x !== undefined; x = parent.get(x)) s.push(byId.get(x));
      return s;
    };
    const catOf = (id) => {
      const st = stackOf(id);
      const leaf = st[0].callFrame;
      if (leaf.functionName === '(idle)') return 'idle: event loop waiting (conmon sync pipe, timers)';
      if (leaf.functionName === '(garbage collector)') return 'garbage collector';
      if (leaf.functionName === '(program)') return '(program): V8/native work outside JS';
      if (st.some((n) => n.callFrame.functionName === 'spawnSync' || /child_process/.test(n.callFrame.url) && n.callFrame.functionName === 'spawn'))
        return 'child programs (spawnSync / spawn)';
      if (st.some((n) => /better-sqlite3/.test(n.callFrame.url)) || (leaf.url === '' && /\/src\/state\//.test(st[1]?.callFrame.url ?? '')))
        return 'sqlite (better-sqlite3 + src/state)';
      if (st.some((n) => /node:internal\/modules\//.test(n.callFrame.url))) return 'module loading (resolve, read, compile, link)';
      const own = st.find((n) => /\/build\/src\//.test(n.callFrame.url));
      if (own) return `berth JS: src/${own.callFrame.url.split('/build/src/')[1].split('/')[0]}`;
      if (st.some((n) => /node_modules/.test(n.callFrame.url))) return 'other node_modules';
      return 'node internals';
    };
    const deltas = p.timeDeltas;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = (deltas[i + 1] ?? 0) / 1000;
      const id = p.samples[i];
      const c = catOf(id);
      cats[c] = (cats[c] ?? 0) + dt;
      const cf = byId.get(id).callFrame;
      const fn = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/build\//, 'build/').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}`;
      fns[fn] = (fns[fn] ?? 0) + dt;
      total += dt;
    }
  }
  const n = files.length || 1;
  return { n: files.length, total: total / n, cats: Object.entries(cats).map(([k, v]) => [k, v / n]).sort((a, b) => b[1] - a[1]),
    fns: Object.entries(fns).map(([k, v]) => [k, v / n]).sort((a, b) => b[1] - a[1]).slice(0, 12) };
}

const CASES = [
  ['run_d_none', 'run -d --network none IMG sleep 1000'],
  ['run_rm_none', 'run --rm --network none IMG true'],
  ['run_d_port', 'run -d -p 18199:80 IMG sleep 1000 (default bridge)'],
  ['stop_t0', 'stop -t 0 (a running container on the default bridge)'],
  ['rm_stopped', 'rm (a stopped container)'],
  ['rm_f_running', 'rm -f (a running container on the default bridge)'],
  ['ps_a', 'ps -a (no containers)'],
];
const wall = existsSync(join(dir, 'wall.txt')) ? readFileSync(join(dir, 'wall.txt'), 'utf8') : '';
for (const [key, label] of CASES) {
  const t = timeline(key);
  if (!t) continue;
  const w = [...wall.matchAll(new RegExp(`^${key} wall_ms=(\\d+)`, 'gm'))].map((m) => Number(m[1]));
  const r = t.runs;
  console.log(`#### berth ${label}: ${r.length} runs${w.length ? `, wall ${ms(median(w))} ms (median, with the timing hook)` : ''}\n`);
  console.log('| phase | median ms | min-max |');
  console.log('|---|---:|---|');
  const row = (name, xs) => console.log(`| ${name} | ${ms(median(xs))} | ${ms(Math.min(...xs))}-${ms(Math.max(...xs))} |`);
  row("node start until berth's first JS runs", r.map((x) => x.boot));
  row('berth JS before its first program (modules, SQLite, image/mount prep)', r.map((x) => x.before));
  row('berth JS in total (own work, incl. the line above)', r.map((x) => x.jsOwn));
  row('waiting for programs in total', r.map((x) => x.inKids));
  const names = [...new Set(r.flatMap((x) => Object.keys(x.progs)))];
  for (const nm of names) {
    const xs = r.map((x) => x.progs[nm]?.ms ?? 0);
    const cnt = median(r.map((x) => x.progs[nm]?.n ?? 0));
    row(`&nbsp;&nbsp;${nm} ×${cnt}`, xs);
  }
  row('process exit (ms since start)', r.map((x) => x.exit));
  console.log('');
  const c = cpuProfile(key);
  if (c) {
    console.log(`CPU profile (node --cpu-prof, mean of ${c.n} runs, ${ms(c.total)} ms profiled; self time by category):\n`);
    console.log('| category | ms |');
    console.log('|---|---:|');
    for (const [k, v] of c.cats) if (v >= 0.5) console.log(`| ${k} | ${ms(v)} |`);
    console.log('\nCostliest functions (self time):\n');
    for (const [k, v] of c.fns) console.log(`- ${ms(v)} ms \`${k}\``);
    console.log('');
  }
}
const hf = join(dir, 'runc', 'hyperfine.json');
if (existsSync(hf)) {
  const j = JSON.parse(readFileSync(hf, 'utf8'));
  const sc = existsSync(join(dir, 'runc', 'seccomp-summary.json')) ? readFileSync(join(dir, 'runc', 'seccomp-summary.json'), 'utf8').trim() : '';
  console.log("#### runc alone: `runc run` of a busybox `true` with berth's own config.json and variants\n");
  console.log(`berth's seccomp section: \`${sc}\`. Mounts of per-container files (hosts, resolv.conf…) dropped, root = the bench rootfs, no cgroupsPath.\n`);
  console.log('| bundle | median ms | min-max |');
  console.log('|---|---:|---|');
  for (const r of j.results) {
    const t = r.times.map((x) => x * 1000);
    console.log(`| ${r.command} | ${ms(median(t))} | ${ms(Math.min(...t))}-${ms(Math.max(...t))} |`);
  }
  console.log('');
}
