import en from '../../public/i18n/en.json';
import ru from '../../public/i18n/ru.json';
import { POLL_INTERVAL_MS, POLL_TIMEOUT_MS } from '../infrastructure/constants';
import type { Lang, Messages } from '../infrastructure/types';

/** Build-time and page-level configuration of the widget. */
export interface WidgetConfig {
  /** Where the DealCopy backend lives; '' = the page's own origin (the harness). */
  apiBase: string;
  pollIntervalMs: number;
  pollTimeoutMs: number;
}

export function widgetConfig(): WidgetConfig {
  // A page may override the backend address (the harness does, to point at the Host it runs on).
  const override = (globalThis as { DEALCOPY_API_BASE?: unknown }).DEALCOPY_API_BASE;
  return {
    apiBase: typeof override === 'string' ? override : __DEALCOPY_API_BASE__,
    pollIntervalMs: POLL_INTERVAL_MS,
    pollTimeoutMs: POLL_TIMEOUT_MS,
  };
}

/** The same files that ship in the zip's i18n/ folder, bundled so the UI never waits for them. */
export const bundledMessages: Record<Lang, Messages> = { ru, en };
