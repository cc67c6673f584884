import * as z from 'zod/mini';
import type { Lang } from '../infrastructure/types';
import type { AuthorizedAjax } from './authorizedAjaxAdapter';

/** The parts of amoCRM's widget object (`self`) the widget uses (API-NOTES §15.3). */
export interface AmoWidgetSelf {
  $authorizedAjax?: AuthorizedAjax;
  get_settings?: () => Record<string, unknown>;
  set_settings?: (values: Record<string, unknown>) => void;
  list_selected?: () => unknown;
  system?: () => { area?: string; amouser_id?: number | string };
  render_template?: (options: unknown, data?: unknown) => void;
  langs?: unknown;
  params?: { widget_code?: string };
}

/** `APP` global (API-NOTES §15.4); may be missing outside amoCRM, so every read is guarded. */
interface AmoApp {
  getBaseEntity?: () => string;
  isCard?: () => boolean;
  lang_id?: string;
  constant?: (name: string) => unknown;
  data?: { current_card?: false | { id?: number | string } };
}

function app(): AmoApp | undefined {
  const g = globalThis as { APP?: AmoApp; AMOCRM?: AmoApp };
  return g.APP ?? g.AMOCRM;
}

const idLike = z.pipe(z.pipe(z.union([z.number(), z.string().check(z.regex(/^\d+$/))]), z.transform(Number)), z.int().check(z.nonnegative()));

/** The id of the deal open in the card, or null outside a saved deal card. */
export function currentLeadId(): number | null {
  const a = app();
  if (!a || a.getBaseEntity?.() !== 'leads' || !a.data?.current_card) return null;
  const parsed = idLike.safeParse(a.data.current_card.id);
  return parsed.success && parsed.data > 0 ? parsed.data : null;
}

export function currentUserId(self?: AmoWidgetSelf): number | null {
  const user = z.object({ id: idLike }).safeParse(app()?.constant?.('user'));
  if (user.success) return user.data.id;
  const fromSystem = idLike.safeParse(self?.system?.().amouser_id);
  return fromSystem.success ? fromSystem.data : null;
}

export function currentLang(): Lang {
  return app()?.lang_id === 'ru' ? 'ru' : app()?.lang_id ? 'en' : 'ru';
}

const selectedSchema = z.object({ selected: z.array(z.object({ id: idLike })) });

/** Ids of the deals ticked in the list (`self.list_selected().selected[].id`), deduplicated. */
export function selectedLeadIds(self: AmoWidgetSelf): number[] {
  const parsed = selectedSchema.safeParse(self.list_selected?.());
  if (!parsed.success) return [];
  return [...new Set(parsed.data.selected.map((s) => s.id).filter((n) => n > 0))];
}

/** The raw value of one of the widget's settings fields, as amoCRM stored it. */
export function rawSetting(self: AmoWidgetSelf, code: string): unknown {
  try {
    return self.get_settings?.()[code];
  } catch {
    return undefined;
  }
}
