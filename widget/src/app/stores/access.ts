import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Access, BackendError } from '../../infrastructure/types';
import { useDeps } from '../deps';
import { asBackendError } from './meta';

/** Who may copy, read from and saved to the DealCopy server (the server checks it; the browser only shows it). */
export const useAccessStore = defineStore('dealcopy-access', () => {
  const access = ref<Access | null>(null);
  const userIds = ref<number[]>([]);
  const groupIds = ref<number[]>([]);
  const error = ref<BackendError | null>(null);
  const saving = ref(false);
  const saved = ref(false);

  function take(a: Access): void {
    access.value = a;
    userIds.value = [...a.userIds];
    groupIds.value = [...a.groupIds];
  }

  async function load(): Promise<void> {
    error.value = null;
    try {
      take(await useDeps().api.getAccess());
    } catch (e) {
      error.value = asBackendError(e);
    }
  }

  async function save(): Promise<void> {
    saving.value = true;
    saved.value = false;
    error.value = null;
    try {
      take(await useDeps().api.saveAccess(userIds.value, groupIds.value));
      saved.value = true;
    } catch (e) {
      error.value = asBackendError(e);
    } finally {
      saving.value = false;
    }
  }

  return { access, userIds, groupIds, error, saving, saved, load, save };
});
