// What each verb's positional arguments name, for completion: one kind a position, and a
// trailing "*" when that kind repeats (`rm CTR...`). Verbs not listed complete file names.
export type NameKind = 'containers' | 'running' | 'images' | 'networks' | 'volumes';
export type ArgKind = NameKind | `${NameKind}*` | 'none';

const CONTAINER_VERBS: Record<string, readonly ArgKind[]> = {
  start: ['containers*'],
  stop: ['running*'],
  restart: ['containers*'],
  kill: ['running*'],
  rm: ['containers*'],
  wait: ['containers*'],
  inspect: ['containers*'],
  logs: ['containers', 'none'],
  exec: ['running', 'none'],
  pause: ['running*'],
  unpause: ['containers*'],
  port: ['containers', 'none'],
  rename: ['containers', 'none'],
  top: ['running', 'none'],
  stats: ['running*'],
  update: ['containers*'],
  diff: ['containers', 'none'],
  commit: ['containers', 'images'],
  export: ['containers', 'none'],
  run: ['images', 'none'],
  create: ['images', 'none'],
};

const IMAGE_VERBS: Record<string, readonly ArgKind[]> = {
  rmi: ['images*'],
  history: ['images', 'none'],
  tag: ['images', 'images'],
  save: ['images*'],
  push: ['images', 'none'],
};

export const ARG_KINDS: Record<string, readonly ArgKind[]> = {
  ...CONTAINER_VERBS,
  ...IMAGE_VERBS,
  ...Object.fromEntries(Object.entries(CONTAINER_VERBS).map(([v, k]) => [`container ${v}`, k])),
  'image rm': ['images*'],
  'image inspect': ['images*'],
  'image history': ['images', 'none'],
  'image tag': ['images', 'images'],
  'image save': ['images*'],
  'image push': ['images', 'none'],
  'network rm': ['networks*'],
  'network inspect': ['networks*'],
  'network connect': ['networks', 'containers'],
  'network disconnect': ['networks', 'containers'],
  'volume rm': ['volumes*'],
  'volume remove': ['volumes*'],
  'volume inspect': ['volumes*'],
};
