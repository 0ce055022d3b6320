// The Kubernetes objects kube generate writes and kube play reads, typed by the kubernetes-models
// package. Type imports only: the package itself is loaded by validate.ts, and only by kube verbs.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';

export type { IConfigMap, IContainer, IDeployment, IPersistentVolumeClaim, IPod, IPodSpec, IProbe, ISecret, IService, IVolume, IVolumeMount };

export type Manifest = IPod | IDeployment | IService | IConfigMap | ISecret | IPersistentVolumeClaim;

/** Every kind berth reads or writes, with its apiVersion. */
export const KINDS: Readonly<Record<string, string>> = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
};

// Where an object came from, so that a cluster's user (and kube play) can tell.
export const ANN_PROJECT = 'io.berth.compose.project';
export const ANN_SERVICE = 'io.berth.compose.service';
export const ANN_CONTAINER = 'io.berth.container';
export const ANN_NETWORKS = 'io.berth.compose.networks';
export const ANN_DEPENDS = 'io.berth.compose.depends-on';
/** The subnet of the service's first network that had one; kube play gives its network that subnet. */
export const ANN_SUBNET = 'io.berth.network.subnet';
/** Labels kube play puts on what it makes. */
export const LABEL_KUBE_FILE = 'io.berth.kube.file';
export const LABEL_KUBE_KIND = 'io.berth.kube.kind';
