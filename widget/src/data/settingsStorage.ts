import * as z from 'zod/mini';
import type { DpRule, WidgetSettings } from '../infrastructure/types';
import { defaultDpRule, defaultSettings } from '../infrastructure/validators';
import { copyOptionsDto, fromCopyOptionsDto, toCopyOptionsDto } from './dto';

/**
 * The widget's settings and DP rules as amoCRM stores them: JSON strings in settings fields.
 * Reading never throws: a value we cannot read becomes the defaults plus `malformed: true`.
 */
export type Loaded<T> = { value: T; malformed: boolean };

const storedSettings = z.object({
  v: z.literal(1),
  allowed_user_ids: z.array(z.int().check(z.positive())),
  defaults: copyOptionsDto,
});

const storedRule = z.object({
  v: z.literal(1),
  ...copyOptionsDto.shape,
  delay_minutes: z.int().check(z.nonnegative()),
  skip_if_open: z.boolean(),
});

function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return Symbol('malformed');
  }
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '' || (typeof raw === 'object' && Object.keys(raw).length === 0);
}

export function readSettings(raw: unknown): Loaded<WidgetSettings> {
  if (isEmpty(raw)) return { value: defaultSettings(), malformed: false };
  const parsed = storedSettings.safeParse(parseJson(raw));
  if (!parsed.success) return { value: defaultSettings(), malformed: true };
  return {
    value: { allowedUserIds: parsed.data.allowed_user_ids, defaults: fromCopyOptionsDto(parsed.data.defaults) },
    malformed: false,
  };
}

export function writeSettings(settings: WidgetSettings): string {
  return JSON.stringify({ v: 1, allowed_user_ids: settings.allowedUserIds, defaults: toCopyOptionsDto(settings.defaults) });
}

export function readDpRule(raw: unknown): Loaded<DpRule> {
  if (isEmpty(raw)) return { value: defaultDpRule(), malformed: false };
  const parsed = storedRule.safeParse(parseJson(raw));
  if (!parsed.success) return { value: defaultDpRule(), malformed: true };
  const { v: _v, delay_minutes, skip_if_open, ...options } = parsed.data;
  return { value: { options: fromCopyOptionsDto(options), delayMinutes: delay_minutes, skipIfOpen: skip_if_open }, malformed: false };
}

/** The DP rule as the backend will read it from `action[settings][widget][settings][rule]`. */
export function writeDpRule(rule: DpRule): string {
  return JSON.stringify({ v: 1, ...toCopyOptionsDto(rule.options), delay_minutes: rule.delayMinutes, skip_if_open: rule.skipIfOpen });
}
