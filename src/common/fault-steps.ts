// The named steps of berth's multi-step verbs, for fault injection (common/fault.ts). A step is
// a point between two changes to the host or the instances file where a berth killed with -9
// leaves something the next command must finish or undo. The list is the registry the fault
// walk (test/e2e/faults.test.ts) iterates, so "steps covered / steps that exist" is computed
// from it; `step()` accepts only names listed here.

/** A start with a healthcheck: its health row, then its runner started (its pid recorded after). */
const HEALTH = ['health.recorded', 'health.started'] as const;
/** The DNS server of the root's named networks started, before its pid file is written. */
const DNS = ['dns.started'] as const;
/** create: the record (with endpoints and ports), then the container's directory and berth.json. */
const CREATE = ['create.recorded', 'create.files'] as const;
/** start: each host object made, in order, then the record saying it runs. */
const START = ['start.rundir', 'start.mounted', 'start.network', 'start.bundle', 'start.conmon', 'start.started'] as const;
/** The end of a run: the exit recorded, then runtime state, network and rootfs released. */
const FINALIZE = ['finalize.recorded', 'release.runtime', 'release.network', 'release.unmounted'] as const;
const STOP = ['stop.requested', 'stop.signalled', 'stop.gone', ...FINALIZE] as const;
const KILL = ['kill.requested', 'kill.signalled'] as const;
/** rm: the record marked as being removed, then the writable layer and the files, then the record. */
const RM = ['rm.marked', 'rm.layer', 'rm.files'] as const;
const NET_CREATE = ['netcreate.recorded', 'netcreate.bridge', 'netcreate.rules'] as const;
const NET_RM = ['netrm.endpoints', 'netrm.bridge'] as const;
const NET_CONNECT = ['connect.recorded', 'connect.veth', ...DNS, 'connect.ports'] as const;
const NET_DISCONNECT = ['disconnect.unlinked', 'disconnect.recorded'] as const;
/** Every way an image arrives: blobs stored, layers unpacked, then the image's records. */
const IMAGE = ['image.blob', 'image.layer', 'image.recorded'] as const;
const COMPOSE_UP = ['compose.networks'] as const;
const COMPOSE_DOWN = ['compose.containers'] as const;

export const VERB_STEPS = {
  run: [...CREATE, ...START, ...HEALTH],
  create: CREATE,
  start: [...START, ...HEALTH],
  stop: STOP,
  kill: KILL,
  // rm -f of a running container: the stop's steps come first.
  rm: ['rm.requested', 'stop.gone', ...FINALIZE, ...RM],
  restart: [...STOP, ...START],
  'network create': NET_CREATE,
  'network connect': NET_CONNECT,
  'network disconnect': NET_DISCONNECT,
  'network rm': NET_RM,
  'compose up': [...COMPOSE_UP, ...NET_CREATE, ...CREATE, ...START, ...DNS],
  'compose down': [...STOP, ...RM, ...COMPOSE_DOWN, ...NET_RM],
  pull: ['image.blob', 'image.layer', 'image.recorded'],
  build: IMAGE,
  commit: ['image.blob', 'image.recorded'],
  load: IMAGE,
} as const satisfies Record<string, readonly string[]>;

export type FaultVerb = keyof typeof VERB_STEPS;
export type StepName = (typeof VERB_STEPS)[FaultVerb][number];
