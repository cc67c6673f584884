import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { readDpRule, writeDpRule } from '../../data/settingsStorage';
import type { BackendError, DpRule } from '../../infrastructure/types';
import { defaultDpRule, validateDpRule, type FieldErrors } from '../../infrastructure/validators';
import { useDeps } from '../deps';
import { asBackendError } from './meta';

export type DpKeyState = 'idle' | 'loading' | 'ok' | 'unsupported' | 'error';

/** A Digital Pipeline rule edited in the DP trigger block; its values go into the trigger's fields. */
export const useDpRuleStore = defineStore('dealcopy-dp-rule', () => {
  const rule = ref<DpRule>(defaultDpRule());
  const malformed = ref(false);
  const fieldErrors = ref<FieldErrors>({});
  const key = ref('');
  const keyState = ref<DpKeyState>('idle');
  const keyError = ref<BackendError | null>(null);

  function load(rawRule: unknown, rawKey: unknown, fallbackPipelineId: number | null): void {
    const loaded = readDpRule(rawRule);
    rule.value = loaded.value;
    malformed.value = loaded.malformed;
    if (rule.value.options.targetPipelineId === null) rule.value.options.targetPipelineId = fallbackPipelineId;
    key.value = typeof rawKey === 'string' ? rawKey : '';
  }

  /** GET /api/v1/dp/key; 404 means this backend has no DP rules yet. */
  async function fetchKey(): Promise<void> {
    keyState.value = 'loading';
    keyError.value = null;
    try {
      const fetched = await useDeps().api.getDpKey();
      if (fetched === null) {
        keyState.value = 'unsupported';
        return;
      }
      key.value = fetched;
      keyState.value = 'ok';
    } catch (e) {
      keyError.value = asBackendError(e);
      keyState.value = 'error';
    }
  }

  function validate(): boolean {
    fieldErrors.value = validateDpRule(rule.value);
    return Object.keys(fieldErrors.value).length === 0 && keyState.value === 'ok';
  }

  /** The values of the DP settings fields declared in manifest.json (dp.settings.key / .rule). */
  const fields = computed(() => ({ key: key.value, rule: writeDpRule(rule.value) }));

  return { rule, malformed, fieldErrors, key, keyState, keyError, load, fetchKey, validate, fields };
});
