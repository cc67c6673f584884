import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { readSettings, writeSettings } from '../../data/settingsStorage';
import type { WidgetSettings } from '../../infrastructure/types';
import { defaultSettings, validateSettings, type FieldErrors } from '../../infrastructure/validators';

/** Who may copy and the copy form's defaults, edited in the widget's settings modal. */
export const useSettingsStore = defineStore('dealcopy-settings', () => {
  const settings = ref<WidgetSettings>(defaultSettings());
  const malformed = ref(false);
  const fieldErrors = ref<FieldErrors>({});

  /** Loads what amoCRM stored; damaged JSON shows the defaults and a message instead of failing. */
  function load(raw: unknown): void {
    const loaded = readSettings(raw);
    settings.value = loaded.value;
    malformed.value = loaded.malformed;
    fieldErrors.value = {};
  }

  function validate(): boolean {
    fieldErrors.value = validateSettings(settings.value);
    return Object.keys(fieldErrors.value).length === 0;
  }

  /** The JSON to put into the settings field. */
  const serialized = computed(() => writeSettings(settings.value));

  return { settings, malformed, fieldErrors, load, validate, serialized };
});

/** Whether a user may copy: an empty list lets everyone. */
export function mayCopy(settings: WidgetSettings, userId: number | null): boolean {
  if (settings.allowedUserIds.length === 0) return true;
  return userId !== null && settings.allowedUserIds.includes(userId);
}
