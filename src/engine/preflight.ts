// What berth says when this host cannot run containers at all: berth run inside a container
// without --privileged, or with its root on that container's own overlayfs (docs/nested.md).
// Checked before any host state is made, so the user gets one line instead of `ip` or `mount`
// failing half-way, and nothing to roll back.
import { unavailable, type BerthError } from '../common/errors.js';
import type { Shortfall } from '../sys/contained.js';

export function shortfallError(s: Shortfall): BerthError {
  switch (s.kind) {
    case 'privileges':
      return unavailable('host.not_privileged',
        `cannot run containers: berth runs as root without ${s.missing.join(' and ')}, as in a container started without --privileged`,
        'start the container berth runs in with --privileged (docs/nested.md)');
    case 'overlay-root':
      return unavailable('host.overlay_root',
        `cannot run containers: ${s.dir} is on overlayfs (a container's own filesystem), which cannot hold a writable layer`,
        "put berth's root on a volume, e.g. -v berth-root:/var/lib/berth (docs/nested.md)");
    default: {
      const never: never = s;
      throw new Error(`unknown shortfall ${JSON.stringify(never)}`);
    }
  }
}
