import { createPinia, type Pinia } from 'pinia';
import { createApp, h, type Component } from 'vue';
import { setAppDeps } from '../app/deps';
import { createBackendApi, createHttp } from '../data/backendApi';
import { currentLang, currentUserId, rawSetting, type AmoWidgetSelf } from '../data/amoHost';
import { readSettings } from '../data/settingsStorage';
import { SETTINGS_FIELD } from '../infrastructure/constants';
import { bundledMessages, widgetConfig } from './config';

/** Wires the App layer to amoCRM's widget object: backend client over $authorizedAjax, messages, user, settings. */
export function wireDeps(self: AmoWidgetSelf): void {
  const config = widgetConfig();
  const ajax = self.$authorizedAjax ? self.$authorizedAjax.bind(self) : undefined;
  const lang = currentLang();
  setAppDeps({
    api: createBackendApi(createHttp(config.apiBase, ajax)),
    messages: bundledMessages[lang],
    lang,
    userId: currentUserId(self),
    settings: readSettings(rawSetting(self, SETTINGS_FIELD)),
    pollIntervalMs: config.pollIntervalMs,
    pollTimeoutMs: config.pollTimeoutMs,
  });
}

export interface MountedScreen {
  pinia: Pinia;
  unmount(): void;
}

/** Mounts one screen into a host element with its own Pinia; `prepare` may fill stores before the first render. */
export function mountScreen(
  host: HTMLElement,
  component: Component,
  props: Record<string, unknown>,
  prepare?: (pinia: Pinia) => void,
): MountedScreen {
  const pinia = createPinia();
  const app = createApp({ render: () => h(component, props) });
  app.use(pinia);
  prepare?.(pinia);
  // A render error must stay inside the widget, never break amoCRM's page.
  app.config.errorHandler = (error) => console.error('[DealCopy]', error);
  app.mount(host);
  return { pinia, unmount: () => app.unmount() };
}

/** amoCRM hands over jQuery objects; Vue wants elements. */
export function toElement(target: unknown): HTMLElement | null {
  if (target instanceof HTMLElement) return target;
  const first = (target as { 0?: unknown; jquery?: string } | null | undefined)?.[0];
  return first instanceof HTMLElement ? first : null;
}
