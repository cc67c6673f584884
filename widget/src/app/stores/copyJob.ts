import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { MAX_SOURCE_LEADS, UNDOABLE_JOB_STATUSES } from '../../infrastructure/constants';
import type { BackendError, CopyOptions, CopyPreview, Job } from '../../infrastructure/types';
import { defaultCopyOptions, validateCopyOptions, type FieldErrors } from '../../infrastructure/validators';
import { useDeps } from '../deps';
import { followJob } from '../jobTracker';
import { asBackendError } from './meta';

export type CopyPhase = 'form' | 'preview' | 'running' | 'result';

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  return c && 'randomUUID' in c ? c.randomUUID() : `dc-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * One copy job from form to result: validate, POST /copies (with an idempotency key so Retry never
 * copies twice), follow the job, undo it. The card and the list each get their own store from this.
 */
function defineCopyJobStore(id: string) {
  return defineStore(id, () => {
    const options = ref<CopyOptions>(defaultCopyOptions());
    const fieldErrors = ref<FieldErrors>({});
    const leadIds = ref<number[]>([]);
    const phase = ref<CopyPhase>('form');
    const jobId = ref<string | null>(null);
    const job = ref<Job | null>(null);
    const preview = ref<CopyPreview | null>(null);
    const error = ref<BackendError | null>(null);
    const busy = ref(false);
    // The key belongs to one form (deals + options): sent again with the same form it finds the job a
    // lost or late answer may have created; a changed form is a new request with a new key.
    let idempotencyKey: { key: string; form: string } | null = null;
    let lastAction: (() => Promise<void>) | null = null;
    let stopped = false;

    const progress = computed(() => {
      const j = job.value;
      if (!j || j.total === 0) return 0;
      return Math.min(100, Math.round((j.done / j.total) * 100));
    });
    const canUndo = computed(() => !!job.value && UNDOABLE_JOB_STATUSES.includes(job.value.status) && !busy.value);
    const newLeadIds = computed(() => job.value?.deals.flatMap((d) => d.copies.map((c) => c.leadId)) ?? []);

    function setDefaults(defaults: CopyOptions, fallbackPipelineId: number | null): void {
      options.value = clone(defaults);
      if (options.value.targetPipelineId === null) options.value.targetPipelineId = fallbackPipelineId;
    }

    function setLeads(ids: number[]): void {
      leadIds.value = [...ids];
    }

    async function guarded(action: () => Promise<void>): Promise<void> {
      lastAction = action;
      busy.value = true;
      error.value = null;
      try {
        await action();
      } catch (e) {
        error.value = asBackendError(e);
      } finally {
        busy.value = false;
      }
    }

    async function follow(): Promise<void> {
      const deps = useDeps();
      if (!jobId.value) return;
      phase.value = 'running';
      await followJob(deps.api, jobId.value, (j) => (job.value = j), {
        intervalMs: deps.pollIntervalMs,
        timeoutMs: deps.pollTimeoutMs,
        isCancelled: () => stopped,
      });
      if (!stopped) phase.value = 'result';
    }

    function formIsValid(): boolean {
      fieldErrors.value = validateCopyOptions(options.value);
      if (leadIds.value.length === 0 || leadIds.value.length > MAX_SOURCE_LEADS) return false;
      return Object.keys(fieldErrors.value).length === 0;
    }

    /**
     * The dry run of the form as it is: the server's answer (what each copy would be) or its refusal, which is the
     * copy's refusal; nothing is written. Returns false when nothing is shown (an invalid form, or a refusal).
     */
    async function requestPreview(): Promise<boolean> {
      if (!formIsValid()) return false;
      await guarded(async () => {
        preview.value = await useDeps().api.previewCopy(leadIds.value, options.value);
        phase.value = 'preview';
      });
      return error.value === null;
    }

    /** Back from the preview to the form, to change something. */
    function backToForm(): void {
      phase.value = 'form';
      preview.value = null;
      error.value = null;
    }

    /** Returns false when the form is invalid (fieldErrors say why) and nothing was sent. */
    async function submit(): Promise<boolean> {
      if (!formIsValid()) return false;
      const form = JSON.stringify([leadIds.value, options.value]);
      if (idempotencyKey?.form !== form) idempotencyKey = { key: newIdempotencyKey(), form };
      const key = idempotencyKey.key;
      await guarded(async () => {
        // A retry after the POST went through only resumes polling.
        if (!jobId.value) jobId.value = (await useDeps().api.startCopy(leadIds.value, options.value, key)).id;
        await follow();
      });
      // A refusal (4xx problem+json) created nothing: the corrected form is a new request. After a 5xx
      // or no answer the job may exist after all (accepted after the gateway gave up waiting): the
      // same form keeps the key, so Retry or pressing Copy again finds that job instead of a second one.
      const e = error.value;
      if (e?.kind === 'problem' && e.status < 500 && !jobId.value) idempotencyKey = null;
      return error.value === null;
    }

    async function undo(): Promise<void> {
      const idToUndo = jobId.value;
      if (!idToUndo) return;
      let requested = false;
      await guarded(async () => {
        if (!requested) {
          await useDeps().api.undo(idToUndo);
          requested = true;
        }
        await follow();
      });
    }

    /** Opens a run from the history: follows it live while it runs, then shows its report (and Undo). */
    async function open(id: string): Promise<void> {
      startOver();
      stopped = false;
      jobId.value = id;
      await guarded(follow);
    }

    /** Repeats what failed: the POST (same idempotency key), the polling or the undo. */
    async function retry(): Promise<void> {
      if (lastAction) await guarded(lastAction);
    }

    /** The screen went away (amoCRM called destroy): stop polling a job nobody is looking at. */
    function stop(): void {
      stopped = true;
    }

    function startOver(): void {
      phase.value = 'form';
      job.value = null;
      preview.value = null;
      jobId.value = null;
      error.value = null;
      idempotencyKey = null;
      lastAction = null;
    }

    return { options, fieldErrors, leadIds, phase, jobId, job, preview, error, busy, progress, canUndo, newLeadIds,
      setDefaults, setLeads, requestPreview, backToForm, submit, undo, open, retry, startOver, stop };
  });
}

/** The copy started from a deal card (lcard-1). */
export const useCardCopyStore = defineCopyJobStore('dealcopy-card-copy');
/** The mass copy started from the deals list (leads.selected). */
export const useMassCopyStore = defineCopyJobStore('dealcopy-mass-copy');
/** A run opened from the History tab of the card / of the list. */
export const useCardHistoryRunStore = defineCopyJobStore('dealcopy-card-history-run');
export const useMassHistoryRunStore = defineCopyJobStore('dealcopy-mass-history-run');
export const useSettingsHistoryRunStore = defineCopyJobStore('dealcopy-settings-history-run');
export const useDpHistoryRunStore = defineCopyJobStore('dealcopy-dp-history-run');
export type CopyJobStore = ReturnType<typeof useCardCopyStore>;
