import type { BackendApi } from '../data/backendApi';
import type { Loaded } from '../data/settingsStorage';
import { codeText, translate } from '../infrastructure/i18n';
import type { Lang, Messages, WidgetSettings } from '../infrastructure/types';

/** What the use cases need from the outside world; the Web layer wires it once per widget. */
export interface AppDeps {
  api: BackendApi;
  messages: Messages;
  /** The language of `messages`: its plural rules word the counts. */
  lang: Lang;
  userId: number | null;
  settings: Loaded<WidgetSettings>;
  pollIntervalMs: number;
  pollTimeoutMs: number;
}

let current: AppDeps | null = null;

export function setAppDeps(deps: AppDeps): void {
  current = deps;
}

export function useDeps(): AppDeps {
  if (!current) throw new Error('DealCopy: app dependencies are not set (bootstrap did not run)');
  return current;
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** A service code in the user's language, or the service's English `fallback` for a code the widget does not know. */
export function useCodeText(): (code: string | null | undefined, params: Record<string, string> | undefined, fallback: string) => string {
  const { messages, lang } = useDeps();
  return (code, params, fallback) => codeText(messages, lang, code, params) ?? fallback;
}

/** Translation function over the active messages (i18n/<lang>.json). */
export function useT(): Translate {
  const { messages, lang } = useDeps();
  return (key, params) => translate(messages, lang, key, params);
}
