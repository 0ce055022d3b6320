// A worker thread that unpacks layer blobs while they are still being written (see unpack-pool.ts).
// Each job names an open file descriptor (the process shares its fd table with its threads);
// the unpacking itself is follow-unpack.ts, the same code the main thread runs for its own job.
import { parentPort } from 'node:worker_threads';
import { errorMessage, type FollowJob, newJob, type ToWorker, unpackFollowing, updateJob } from './follow-unpack.js';

const jobs = new Map<number, FollowJob>();

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    const job = newJob(m.fd, m.avail, m.finished);
    jobs.set(m.id, job);
    unpackFollowing(job, m.dir).then(
      (r) => parentPort!.postMessage({ type: 'done', id: m.id, diffId: r.diffId, size: r.size }),
      (e: unknown) => parentPort!.postMessage(errorMessage(m.id, e)),
    ).finally(() => jobs.delete(m.id));
    return;
  }
  const job = jobs.get(m.id);
  if (job) updateJob(job, m);
});
