// GET /system/df: Docker's disk usage document, which the docker CLI adds up itself (`docker
// system df`) or lists (`-v`): every image with its size, the part it shares and how many
// containers use it; every container with its writable layer's size; every volume with its
// size and how many containers mount it. Its image arithmetic is Docker's: an image's unique
// size is what no other image shares, so `berth system df` (which counts layers once) can say
// less is reclaimable than the docker CLI does for the same root.
import type { Call, Route } from './router.js';
import { sendJson } from './http.js';

const unix = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0);

async function df(c: Call): Promise<void> {
  const [detail, images, ctrs, vols] = await Promise.all([
    c.engine.system.diskUsageDetail(),
    c.engine.images.list({ all: true }),
    c.engine.containers.list({ reconcile: true }),
    c.engine.volumes.list(),
  ]);
  const users = new Map<string, number>();
  for (const x of ctrs) users.set(x.imageId, (users.get(x.imageId) ?? 0) + 1);
  const tags = new Map<string, string[]>();
  const created = new Map<string, string>();
  for (const r of images) {
    if (r.repository !== '<none>') tags.set(r.id, [...(tags.get(r.id) ?? []), `${r.repository}:${r.tag}`]);
    created.set(r.id, r.created);
  }
  const sizeRw = new Map(detail.containers.map((x) => [x.id, x.sizeRw]));
  const imageSize = new Map(detail.images.map((i) => [i.id, i.size]));
  const volSize = new Map(detail.volumes.map((v) => [v.name, v.size]));
  sendJson(c.res, 200, {
    LayersSize: detail.layersSize,
    Images: detail.images.map((i) => ({
      Id: i.id,
      ParentId: '',
      RepoTags: tags.get(i.id) ?? [],
      RepoDigests: [],
      Created: unix(created.get(i.id) ?? null),
      Size: i.size,
      SharedSize: i.sharedSize,
      VirtualSize: i.size,
      Labels: {},
      Containers: users.get(i.id) ?? 0,
    })),
    Containers: ctrs.map((x) => ({
      Id: x.id,
      Names: [`/${x.name}`],
      Image: x.imageRef,
      ImageID: x.imageId,
      Command: x.spec.args.join(' '),
      Created: unix(x.createdAt),
      State: x.status,
      Status: x.status,
      SizeRw: sizeRw.get(x.id) ?? 0,
      SizeRootFs: (sizeRw.get(x.id) ?? 0) + (imageSize.get(x.imageId) ?? 0),
      Labels: x.labels ?? {},
      Mounts: x.spec.volumes.map((v) => ({ Type: v.named ? 'volume' : 'bind', ...(v.named ? { Name: v.source } : {}), Source: v.source,
        Destination: v.destination, Mode: v.readonly ? 'ro' : '', RW: !v.readonly, Propagation: '' })
      ),
      Ports: [],
      HostConfig: { NetworkMode: x.spec.networkMode },
      NetworkSettings: { Networks: {} },
    })),
    Volumes: vols.map((v) => ({
      Name: v.name,
      Driver: v.driver,
      Mountpoint: v.mountpoint,
      Labels: v.labels,
      Scope: 'local',
      Options: {},
      CreatedAt: v.createdAt,
      UsageData: { Size: volSize.get(v.name) ?? 0, RefCount: v.usedBy.length },
    })),
    BuildCache: [],
  });
}

export const systemDfRoutes: Route[] = [['GET', '/system/df', df]];
