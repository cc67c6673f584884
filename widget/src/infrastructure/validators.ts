import * as z from 'zod/mini';
import { MAX_COPIES_PER_LEAD, MAX_DP_DELAY_MINUTES, MAX_NAME_TEMPLATE_LENGTH } from './constants';
import type { CopyOptions, DpRule, WidgetSettings } from './types';

/** zod schemas of the widget's models; messages are i18n keys so the UI can translate them. */

const id = z.int().check(z.positive());

export const copyWhatSchema = z.object({
  fields: z.enum(['all', 'none', 'some']),
  fieldIds: z.array(id),
  price: z.boolean(),
  contacts: z.boolean(),
  company: z.boolean(),
  tags: z.boolean(),
  products: z.boolean(),
  notes: z.boolean(),
  openTasks: z.boolean(),
  finishedTasks: z.boolean(),
});

export const copyOptionsSchema = z
  .object({
    targetPipelineId: z.nullable(id),
    targetStatusId: z.nullable(id),
    responsibleMode: z.enum(['keep', 'fixed', 'round_robin']),
    responsibleUserIds: z.array(id, 'ui.validation.user_ids'),
    copies: z.int('ui.validation.copies_range')
      .check(z.minimum(1, 'ui.validation.copies_range'), z.maximum(MAX_COPIES_PER_LEAD, 'ui.validation.copies_range')),
    nameTemplate: z.string().check(z.trim(), z.minLength(1, 'ui.validation.template_required'),
      z.maxLength(MAX_NAME_TEMPLATE_LENGTH, 'ui.validation.template_too_long')),
    copy: copyWhatSchema,
    originalAction: z.enum(['leave', 'move', 'close_won', 'close_lost']),
    originalPipelineId: z.nullable(id),
    originalStatusId: z.nullable(id),
    lossReasonId: z.nullable(id),
  })
  .check(z.superRefine((o, ctx) => {
    if (o.targetPipelineId === null) ctx.addIssue({ code: 'custom', path: ['targetPipelineId'], message: 'ui.validation.pipeline_required' });
    if (o.responsibleMode === 'fixed' && o.responsibleUserIds.length !== 1)
      ctx.addIssue({ code: 'custom', path: ['responsibleUserIds'], message: 'ui.validation.fixed_one_user' });
    if (o.responsibleMode === 'round_robin' && o.responsibleUserIds.length < 1)
      ctx.addIssue({ code: 'custom', path: ['responsibleUserIds'], message: 'ui.validation.round_robin_users' });
    if (o.originalAction === 'move' && (o.originalPipelineId === null || o.originalStatusId === null))
      ctx.addIssue({ code: 'custom', path: ['originalStatusId'], message: 'ui.validation.move_target' });
    if (o.copy.fields === 'some' && o.copy.fieldIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['copy', 'fieldIds'], message: 'ui.validation.fields_some' });
  }));

/** Defaults may leave the target pipeline open (the form asks for it then). */
export const defaultsSchema = copyOptionsSchema;

export const widgetSettingsSchema = z.object({
  allowedUserIds: z.array(id, 'ui.validation.user_ids'),
  defaults: z.custom<CopyOptions>(),
});

export const dpRuleSchema = z.object({
  options: z.custom<CopyOptions>(),
  delayMinutes: z.int('ui.validation.delay_range')
    .check(z.minimum(0, 'ui.validation.delay_range'), z.maximum(MAX_DP_DELAY_MINUTES, 'ui.validation.delay_range')),
  skipIfOpen: z.boolean(),
});

/** Field path (dotted) → i18n key of the first problem there; empty when valid. */
export type FieldErrors = Record<string, string>;

function issuesToErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = prefix + issue.path.map(String).join('.');
    if (!(path in errors)) errors[path] = issue.message.startsWith('ui.') ? issue.message : 'ui.validation.required';
  }
  return errors;
}

export function validateCopyOptions(options: CopyOptions, requireTarget = true): FieldErrors {
  const result = copyOptionsSchema.safeParse(options);
  const errors = result.success ? {} : issuesToErrors(result.error.issues);
  if (!requireTarget) delete errors.targetPipelineId;
  return errors;
}

export function validateSettings(settings: WidgetSettings): FieldErrors {
  const top = widgetSettingsSchema.safeParse(settings);
  return {
    ...(top.success ? {} : issuesToErrors(top.error.issues)),
    ...prefixed(validateCopyOptions(settings.defaults, false), 'defaults.'),
  };
}

export function validateDpRule(rule: DpRule): FieldErrors {
  const top = dpRuleSchema.safeParse(rule);
  return {
    ...(top.success ? {} : issuesToErrors(top.error.issues)),
    ...prefixed(validateCopyOptions(rule.options, true), 'options.'),
  };
}

function prefixed(errors: FieldErrors, prefix: string): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [prefix + k, v]));
}

/** The form a fresh copy dialog starts from. */
export function defaultCopyOptions(): CopyOptions {
  return {
    targetPipelineId: null,
    targetStatusId: null,
    responsibleMode: 'keep',
    responsibleUserIds: [],
    copies: 1,
    nameTemplate: '{name}',
    copy: {
      fields: 'all', fieldIds: [], price: true, contacts: true, company: true, tags: true, products: true,
      notes: false, openTasks: false, finishedTasks: false,
    },
    originalAction: 'leave',
    originalPipelineId: null,
    originalStatusId: null,
    lossReasonId: null,
  };
}

export function defaultSettings(): WidgetSettings {
  return { allowedUserIds: [], defaults: defaultCopyOptions() };
}

export function defaultDpRule(): DpRule {
  return { options: defaultCopyOptions(), delayMinutes: 0, skipIfOpen: false };
}
