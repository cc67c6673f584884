import type { BackendApi } from '../data/backendApi';
import { FINISHED_JOB_STATUSES } from '../infrastructure/constants';
import { BackendFailure, type Job } from '../infrastructure/types';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls GET /api/v1/copies/{id} until the job settles, reporting every answer so the UI can show
 * progress. A job that never settles within the timeout ends as an error instead of a spinner forever.
 */
export async function followJob(
  api: BackendApi,
  id: string,
  onUpdate: (job: Job) => void,
  options: { intervalMs: number; timeoutMs: number; isCancelled?: () => boolean },
): Promise<Job> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const job = await api.getJob(id);
    onUpdate(job);
    if (FINISHED_JOB_STATUSES.includes(job.status) || options.isCancelled?.()) return job;
    if (Date.now() > deadline) throw new BackendFailure({ kind: 'unexpected', status: 504 });
    await sleep(options.intervalMs);
  }
}
