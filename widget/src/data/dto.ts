import * as z from 'zod/mini';
import { JOB_STATUSES } from '../infrastructure/constants';
import type { Access, CopyOptions, CopyPreview, HistoryPage, Job, Meta } from '../infrastructure/types';

/** zod schemas of the backend's JSON (docs/API.md) and the mapping DTO ↔ model. */

const id = z.int();
/** An optional list that the service may leave out or send as null. */
const list = <T extends z.ZodMiniType>(item: T) => z.pipe(z.nullish(z.array(item)), z.transform((v) => v ?? []));
const text = z.pipe(z.nullish(z.string()), z.transform((v) => v ?? null));

export const metaDto = z.object({
  account: z.object({ id, subdomain: z.string() }),
  pipelines: z.array(
    z.object({
      id,
      name: z.string(),
      is_main: z.pipe(z.nullish(z.boolean()), z.transform((v) => v ?? false)),
      statuses: z.array(
        z.object({ id, name: z.string(), color: z.nullish(z.string()), kind: z.catch(z.enum(['open', 'won', 'lost']), 'open') }),
      ),
    }),
  ),
  users: z.array(z.object({ id, name: z.string() })),
  lead_fields: z.array(
    z.object({
      id, name: z.string(), type: z.string(), copyable: z.boolean(), reason: z.nullish(z.string()),
      reason_code: z.nullish(z.string()), reason_params: z.nullish(z.record(z.string(), z.string())),
    }),
  ),
  loss_reasons: list(z.object({ id, name: z.string() })),
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
    leadFields: dto.lead_fields.map((f) => ({
      id: f.id, name: f.name, type: f.type, copyable: f.copyable, reason: f.reason ?? undefined,
      reasonCode: f.reason_code ?? undefined, reasonParams: f.reason_params ?? undefined,
    })),
    lossReasons: dto.loss_reasons,
  };
}

export const jobAcceptedDto = z.object({ id: z.string().check(z.minLength(1)), status: z.string(), url: z.nullish(z.string()) });

const errorItem = z.union([
  z.string(),
  z.looseObject({ message: z.nullish(z.string()), detail: z.nullish(z.string()), title: z.nullish(z.string()) }),
]);

export const jobDto = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  reason: text,
  reason_code: z.nullish(z.string()),
  reason_params: z.nullish(z.record(z.string(), z.string())),
  retries: z.pipe(z.nullish(z.int().check(z.nonnegative())), z.transform((v) => v ?? 0)),
  last_error: z.pipe(
    z.nullish(
      z.object({
        code: z.string(),
        params: z.pipe(z.nullish(z.record(z.string(), z.string())), z.transform((v) => v ?? {})),
        message: z.pipe(z.nullish(z.string()), z.transform((v) => v ?? '')),
      }),
    ),
    z.transform((v) => v ?? null),
  ),
  total: z.int().check(z.nonnegative()),
  done: z.int().check(z.nonnegative()),
  deals: z.array(
    z.object({
      source_id: id,
      status: z.enum(['pending', 'done', 'failed']),
      copies: list(z.object({ n: z.int(), lead_id: id, url: z.string() })),
      skipped_fields: list(z.object({
        field_id: id, name: z.string(), reason: z.pipe(z.nullish(z.string()), z.transform((v) => v ?? '')),
        code: z.nullish(z.string()), params: z.nullish(z.record(z.string(), z.string())),
      })),
      errors: list(errorItem),
      problems: z.nullish(z.array(z.object({
        copy: z.nullish(z.int()), code: z.string(), params: z.nullish(z.record(z.string(), z.string())),
        message: z.pipe(z.nullish(z.string()), z.transform((v) => v ?? '')),
      }))),
    }),
  ),
  undo: z.pipe(
    z.nullish(
      z.object({
        status: z.string(),
        closed: list(id),
        not_undone: list(z.object({ lead_id: id, reason: z.string(), code: z.nullish(z.string()), params: z.nullish(z.record(z.string(), z.string())) })),
      }),
    ),
    z.transform((v) => v ?? null),
  ),
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
      skippedFields: d.skipped_fields.map((f) => ({ fieldId: f.field_id, name: f.name, reason: f.reason, code: f.code ?? null, params: f.params ?? {} })),
      problems: d.problems
        ? d.problems.map((p) => ({ copy: p.copy ?? null, code: p.code, params: p.params ?? {}, message: p.message }))
        : d.errors.map((e) => ({ copy: null, code: null, params: {}, message: typeof e === 'string' ? e : e.detail ?? e.message ?? e.title ?? JSON.stringify(e) })),
    })),
    reason: dto.reason,
    reasonCode: dto.reason_code ?? null,
    reasonParams: dto.reason_params ?? {},
    retries: dto.retries,
    lastError: dto.last_error,
    undo: dto.undo
      ? {
          status: dto.undo.status,
          closed: dto.undo.closed,
          notUndone: dto.undo.not_undone.map((n) => ({ leadId: n.lead_id, reason: n.reason, code: n.code ?? null, params: n.params ?? {} })),
        }
      : null,
  };
}

const count = z.int().check(z.nonnegative());
const params = z.pipe(z.nullish(z.record(z.string(), z.string())), z.transform((v) => v ?? {}));

export const previewDto = z.object({
  deals: count,
  copies: count,
  targets: list(z.object({ pipeline_id: id, status_id: id, copies: count })),
  responsibles: list(z.object({ user_id: z.nullish(id), copies: count })),
  skipped_fields: count,
  skipped_by_code: list(z.object({ code: z.string(), count })),
  requests: z.object({ total: count, reads: count, writes: count, requests_per_second: z.int().check(z.positive()), seconds: count }),
  items: list(z.object({
    source_id: id,
    name: z.pipe(z.nullish(z.string()), z.transform((v) => v ?? '')),
    copies: list(z.object({ n: z.int(), name: z.string(), pipeline_id: id, status_id: id, responsible_user_id: z.nullish(id) })),
    fields: count,
    price: z.nullish(z.number()),
    contacts: list(z.object({ id, is_main: z.boolean() })),
    company_id: z.nullish(id),
    products: list(z.object({ id, quantity: z.number() })),
    tags: list(z.string()),
    notes: count,
    tasks: count,
    skipped_fields: list(z.object({
      field_id: id, name: z.string(), reason: z.pipe(z.nullish(z.string()), z.transform((v) => v ?? '')), code: z.nullish(z.string()), params,
    })),
  })),
});

export function toPreview(dto: z.infer<typeof previewDto>): CopyPreview {
  return {
    deals: dto.deals,
    copies: dto.copies,
    targets: dto.targets.map((t) => ({ pipelineId: t.pipeline_id, statusId: t.status_id, copies: t.copies })),
    responsibles: dto.responsibles.map((r) => ({ userId: r.user_id ?? null, copies: r.copies })),
    skippedFields: dto.skipped_fields,
    skippedByCode: dto.skipped_by_code,
    requests: { total: dto.requests.total, reads: dto.requests.reads, writes: dto.requests.writes, requestsPerSecond: dto.requests.requests_per_second, seconds: dto.requests.seconds },
    items: dto.items.map((d) => ({
      sourceId: d.source_id,
      name: d.name,
      copies: d.copies.map((c) => ({ n: c.n, name: c.name, pipelineId: c.pipeline_id, statusId: c.status_id, responsibleUserId: c.responsible_user_id ?? null })),
      fields: d.fields,
      price: d.price ?? null,
      contacts: d.contacts.map((c) => ({ id: c.id, isMain: c.is_main })),
      companyId: d.company_id ?? null,
      products: d.products.map((p) => ({ id: p.id, quantity: p.quantity })),
      tags: d.tags,
      notes: d.notes,
      tasks: d.tasks,
      skippedFields: d.skipped_fields.map((f) => ({ fieldId: f.field_id, name: f.name, reason: f.reason, code: f.code ?? null, params: f.params })),
    })),
  };
}

export const historyDto = z.object({
  total: z.int().check(z.nonnegative()),
  offset: z.int().check(z.nonnegative()),
  items: z.array(
    z.object({
      id: z.string(),
      status: z.enum(JOB_STATUSES),
      kind: z.catch(z.enum(['copy', 'repeat']), 'copy'),
      started_by: id,
      created_at: id,
      finished_at: z.pipe(z.nullish(id), z.transform((v) => v ?? null)),
      deals: z.int(),
      total: z.int(),
      done: z.int(),
      created: z.int(),
      failed: z.int(),
      can_undo: z.boolean(),
    }),
  ),
});

export function toHistoryPage(dto: z.infer<typeof historyDto>): HistoryPage {
  return {
    total: dto.total,
    offset: dto.offset,
    items: dto.items.map((j) => ({
      id: j.id, status: j.status, kind: j.kind, startedBy: j.started_by, createdAt: j.created_at, finishedAt: j.finished_at,
      deals: j.deals, total: j.total, done: j.done, created: j.created, failed: j.failed, canUndo: j.can_undo,
    })),
  };
}

export const problemDto = z.object({
  type: z.nullish(z.string()),
  title: z.nullish(z.string()),
  status: z.nullish(z.number()),
  detail: z.nullish(z.string()),
  errors: z.nullish(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
  code: z.nullish(z.string()),
  params: z.nullish(z.record(z.string(), z.string())),
  refusals: z.nullish(z.array(z.object({ field: z.string(), code: z.string(), params: z.nullish(z.record(z.string(), z.string())), message: z.nullish(z.string()) }))),
});

const groupId = z.int().check(z.nonnegative());

/** GET/PUT /api/v1/settings: who may copy, kept on the server (docs/API.md "Settings"). */
export const accessDto = z.object({
  allowed_user_ids: z.array(id),
  allowed_group_ids: z.array(groupId),
  may_edit: z.boolean(),
  users: z.array(z.object({ id, name: z.string(), group_id: groupId })),
  groups: z.array(z.object({ id: groupId, name: z.string() })),
});

export function toAccess(dto: z.infer<typeof accessDto>): Access {
  return {
    userIds: dto.allowed_user_ids,
    groupIds: dto.allowed_group_ids,
    mayEdit: dto.may_edit,
    users: dto.users.map((u) => ({ id: u.id, name: u.name })),
    groups: dto.groups,
  };
}

export const dpKeyDto = z.object({ key: z.string().check(z.minLength(1)) });

/**
 * The copy options as the API takes them (POST /api/v1/copies minus lead_ids). The same shape is what
 * the widget stores as its default options and what a DP rule carries, so the backend reads one format.
 */
export const copyOptionsDto = z.object({
  copies: z.int(),
  target: z.object({ pipeline_id: z.nullable(id), status_id: z.nullable(id) }),
  responsible: z.object({ mode: z.enum(['keep', 'fixed', 'round_robin']), user_ids: z.optional(z.array(id)) }),
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
    pipeline_id: z.optional(id),
    status_id: z.optional(id),
    loss_reason_id: z.optional(id),
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
