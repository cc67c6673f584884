import { z } from 'zod';
import { JOB_STATUSES } from '../infrastructure/constants';
import type { CopyOptions, Job, Meta } from '../infrastructure/types';

/** zod schemas of the backend's JSON (docs/API.md) and the mapping DTO ↔ model. */

const id = z.number().int();

export const metaDto = z.object({
  account: z.object({ id, subdomain: z.string() }),
  pipelines: z.array(
    z.object({
      id,
      name: z.string(),
      is_main: z.boolean().nullish().transform((v) => v ?? false),
      statuses: z.array(
        z.object({ id, name: z.string(), color: z.string().nullish(), kind: z.enum(['open', 'won', 'lost']).catch('open') }),
      ),
    }),
  ),
  users: z.array(z.object({ id, name: z.string() })),
  lead_fields: z.array(
    z.object({ id, name: z.string(), type: z.string(), copyable: z.boolean(), reason: z.string().nullish() }),
  ),
  loss_reasons: z.array(z.object({ id, name: z.string() })).nullish().transform((v) => v ?? []),
});

export function toMeta(dto: z.infer<typeof metaDto>): Meta {
  return {
    accountId: dto.account.id,
    subdomain: dto.account.subdomain,
    pipelines: dto.pipelines.map((p) => ({
      id: p.id,
      name: p.name,
      isMain: p.is_main,
      stages: p.statuses.map((s) => ({ id: s.id, name: s.name, kind: s.kind, color: s.color ?? undefined })),
    })),
    users: dto.users,
    leadFields: dto.lead_fields.map((f) => ({ ...f, reason: f.reason ?? undefined })),
    lossReasons: dto.loss_reasons,
  };
}

export const jobAcceptedDto = z.object({ id: z.string().min(1), status: z.string(), url: z.string().nullish() });

const errorItem = z.union([
  z.string(),
  z.looseObject({ message: z.string().nullish(), detail: z.string().nullish(), title: z.string().nullish() }),
]);

export const jobDto = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  reason: z.string().nullish().transform((v) => v ?? null),
  retries: z.number().int().nonnegative().nullish().transform((v) => v ?? 0),
  last_error: z
    .object({
      code: z.string(),
      params: z.record(z.string(), z.string()).nullish().transform((v) => v ?? {}),
      message: z.string().nullish().transform((v) => v ?? ''),
    })
    .nullish()
    .transform((v) => v ?? null),
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  deals: z.array(
    z.object({
      source_id: id,
      status: z.enum(['pending', 'done', 'failed']),
      copies: z.array(z.object({ n: z.number().int(), lead_id: id, url: z.string() })).nullish().transform((v) => v ?? []),
      skipped_fields: z
        .array(z.object({ field_id: id, name: z.string(), reason: z.string().nullish().transform((v) => v ?? '') }))
        .nullish()
        .transform((v) => v ?? []),
      errors: z.array(errorItem).nullish().transform((v) => v ?? []),
    }),
  ),
  undo: z
    .object({
      status: z.string(),
      closed: z.array(id).nullish().transform((v) => v ?? []),
      not_undone: z.array(z.object({ lead_id: id, reason: z.string() })).nullish().transform((v) => v ?? []),
    })
    .nullish()
    .transform((v) => v ?? null),
});

export function toJob(dto: z.infer<typeof jobDto>): Job {
  return {
    id: dto.id,
    status: dto.status,
    total: dto.total,
    done: dto.done,
    deals: dto.deals.map((d) => ({
      sourceId: d.source_id,
      status: d.status,
      copies: d.copies.map((c) => ({ n: c.n, leadId: c.lead_id, url: c.url })),
      skippedFields: d.skipped_fields.map((f) => ({ fieldId: f.field_id, name: f.name, reason: f.reason })),
      errors: d.errors.map((e) => (typeof e === 'string' ? e : e.detail ?? e.message ?? e.title ?? JSON.stringify(e))),
    })),
    reason: dto.reason,
    retries: dto.retries,
    lastError: dto.last_error,
    undo: dto.undo
      ? {
          status: dto.undo.status,
          closed: dto.undo.closed,
          notUndone: dto.undo.not_undone.map((n) => ({ leadId: n.lead_id, reason: n.reason })),
        }
      : null,
  };
}

export const problemDto = z.object({
  type: z.string().nullish(),
  title: z.string().nullish(),
  status: z.number().nullish(),
  detail: z.string().nullish(),
  errors: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish(),
});

export const dpKeyDto = z.object({ key: z.string().min(1) });

/**
 * The copy options as the API takes them (POST /api/v1/copies minus lead_ids). The same shape is what
 * the widget stores as its default options and what a DP rule carries, so the backend reads one format.
 */
export const copyOptionsDto = z.object({
  copies: z.number().int(),
  target: z.object({ pipeline_id: id.nullable(), status_id: id.nullable() }),
  responsible: z.object({ mode: z.enum(['keep', 'fixed', 'round_robin']), user_ids: z.array(id).optional() }),
  name_template: z.string(),
  copy: z.object({
    fields: z.union([z.enum(['all', 'none']), z.array(id)]),
    price: z.boolean(),
    contacts: z.boolean(),
    company: z.boolean(),
    tags: z.boolean(),
    products: z.boolean(),
    notes: z.boolean(),
    open_tasks: z.boolean(),
    finished_tasks: z.boolean(),
  }),
  original: z.object({
    action: z.enum(['leave', 'move', 'close_won', 'close_lost']),
    pipeline_id: id.optional(),
    status_id: id.optional(),
    loss_reason_id: id.optional(),
  }),
});
export type CopyOptionsDto = z.infer<typeof copyOptionsDto>;

export function toCopyOptionsDto(o: CopyOptions): CopyOptionsDto {
  const original: CopyOptionsDto['original'] = { action: o.originalAction };
  if (o.originalAction === 'move') {
    if (o.originalPipelineId !== null) original.pipeline_id = o.originalPipelineId;
    if (o.originalStatusId !== null) original.status_id = o.originalStatusId;
  }
  if (o.originalAction === 'close_lost' && o.lossReasonId !== null) original.loss_reason_id = o.lossReasonId;
  return {
    copies: o.copies,
    target: { pipeline_id: o.targetPipelineId, status_id: o.targetStatusId },
    responsible: o.responsibleMode === 'keep' ? { mode: 'keep' } : { mode: o.responsibleMode, user_ids: [...o.responsibleUserIds] },
    name_template: o.nameTemplate,
    copy: {
      fields: o.copy.fields === 'some' ? [...o.copy.fieldIds] : o.copy.fields,
      price: o.copy.price,
      contacts: o.copy.contacts,
      company: o.copy.company,
      tags: o.copy.tags,
      products: o.copy.products,
      notes: o.copy.notes,
      open_tasks: o.copy.openTasks,
      finished_tasks: o.copy.finishedTasks,
    },
    original,
  };
}

export function fromCopyOptionsDto(d: CopyOptionsDto): CopyOptions {
  return {
    targetPipelineId: d.target.pipeline_id,
    targetStatusId: d.target.status_id,
    responsibleMode: d.responsible.mode,
    responsibleUserIds: d.responsible.user_ids ?? [],
    copies: d.copies,
    nameTemplate: d.name_template,
    copy: {
      fields: Array.isArray(d.copy.fields) ? 'some' : d.copy.fields,
      fieldIds: Array.isArray(d.copy.fields) ? d.copy.fields : [],
      price: d.copy.price,
      contacts: d.copy.contacts,
      company: d.copy.company,
      tags: d.copy.tags,
      products: d.copy.products,
      notes: d.copy.notes,
      openTasks: d.copy.open_tasks,
      finishedTasks: d.copy.finished_tasks,
    },
    originalAction: d.original.action,
    originalPipelineId: d.original.pipeline_id ?? null,
    originalStatusId: d.original.status_id ?? null,
    lossReasonId: d.original.loss_reason_id ?? null,
  };
}
