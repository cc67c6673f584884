import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { BackendFailure, type BackendError, type Meta } from '../../infrastructure/types';
import { useDeps } from '../deps';

export function asBackendError(error: unknown): BackendError {
  return error instanceof BackendFailure ? error.error : { kind: 'unexpected', status: 0 };
}

/** Pipelines, users, fields and loss reasons the forms offer (GET /api/v1/meta). */
export const useMetaStore = defineStore('dealcopy-meta', () => {
  const meta = ref<Meta | null>(null);
  const loading = ref(false);
  const error = ref<BackendError | null>(null);

  async function load(): Promise<void> {
    if (loading.value) return;
    loading.value = true;
    error.value = null;
    try {
      meta.value = await useDeps().api.getMeta();
    } catch (e) {
      error.value = asBackendError(e);
    } finally {
      loading.value = false;
    }
  }

  const mainPipelineId = computed(() => meta.value?.pipelines.find((p) => p.isMain)?.id ?? meta.value?.pipelines[0]?.id ?? null);

  return { meta, loading, error, load, mainPipelineId };
});
