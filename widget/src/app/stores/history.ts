import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { BackendError, JobSummary } from '../../infrastructure/types';
import { useDeps } from '../deps';
import { asBackendError } from './meta';

/** Runs shown per request of the History tab ("More" asks for the next ones). */
export const HISTORY_PAGE = 20;

/** The History tab: the user's runs, newest first, loaded a page at a time. */
function defineHistoryStore(id: string) {
  return defineStore(id, () => {
    const items = ref<JobSummary[]>([]);
    const total = ref(0);
    const loading = ref(false);
    const loaded = ref(false);
    const error = ref<BackendError | null>(null);

    async function load(more = false): Promise<void> {
      loading.value = true;
      error.value = null;
      try {
        const page = await useDeps().api.listJobs(more ? items.value.length : 0, HISTORY_PAGE);
        items.value = more ? [...items.value, ...page.items.filter((j) => !items.value.some((i) => i.id === j.id))] : page.items;
        total.value = page.total;
        loaded.value = true;
      } catch (e) {
        error.value = asBackendError(e);
      } finally {
        loading.value = false;
      }
    }

    return { items, total, loading, loaded, error, load };
  });
}

export const useCardHistoryStore = defineHistoryStore('dealcopy-card-history');
export const useMassHistoryStore = defineHistoryStore('dealcopy-mass-history');
export const useSettingsHistoryStore = defineHistoryStore('dealcopy-settings-history');
export const useDpHistoryStore = defineHistoryStore('dealcopy-dp-history');
