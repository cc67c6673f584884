/** Domain types shared by every layer. camelCase models; the snake_case DTOs live in Data Access. */
import type { JOB_STATUSES } from './constants';

export type ResponsibleMode = 'keep' | 'fixed' | 'round_robin';
export type OriginalAction = 'leave' | 'move' | 'close_won' | 'close_lost';
export type FieldsChoice = 'all' | 'none' | 'some';

export interface CopyWhat {
  fields: FieldsChoice;
  fieldIds: number[];
  price: boolean;
  contacts: boolean;
  company: boolean;
  tags: boolean;
  products: boolean;
  notes: boolean;
  openTasks: boolean;
  finishedTasks: boolean;
}

/** Everything the copy form asks, minus the deals themselves. */
export interface CopyOptions {
  targetPipelineId: number | null;
  targetStatusId: number | null;
  responsibleMode: ResponsibleMode;
  responsibleUserIds: number[];
  copies: number;
  nameTemplate: string;
  copy: CopyWhat;
  originalAction: OriginalAction;
  originalPipelineId: number | null;
  originalStatusId: number | null;
  lossReasonId: number | null;
}

/** The widget's own settings, stored by amoCRM in the custom settings field as JSON. */
export interface WidgetSettings {
  allowedUserIds: number[];
  defaults: CopyOptions;
}

/** A Digital Pipeline rule: written into the DP trigger's settings fields. */
export interface DpRule {
  options: CopyOptions;
  delayMinutes: number;
  skipIfOpen: boolean;
}

export interface Stage {
  id: number;
  name: string;
  kind: 'open' | 'won' | 'lost';
  color?: string;
}
export interface Pipeline {
  id: number;
  name: string;
  isMain: boolean;
  stages: Stage[];
}
export interface User {
  id: number;
  name: string;
}
export interface LeadField {
  id: number;
  name: string;
  type: string;
  copyable: boolean;
  reason?: string;
  reasonCode?: string;
  reasonParams?: Record<string, string>;
}
export interface Meta {
  accountId: number;
  subdomain: string;
  pipelines: Pipeline[];
  users: User[];
  leadFields: LeadField[];
  lossReasons: { id: number; name: string }[];
}

export type JobStatus = (typeof JOB_STATUSES)[number];
export interface DealCopyResult {
  sourceId: number;
  status: 'pending' | 'done' | 'failed';
  copies: { n: number; leadId: number; url: string }[];
  skippedFields: { fieldId: number; name: string; reason: string; code: string | null; params: Record<string, string> }[];
  /** What went wrong with a copy (its number) or with the original (null): a code of docs/API.md and the English text. */
  problems: Problem[];
}
/** A coded problem of a job report; `code` null = an older service that sent only English text. */
export interface Problem {
  copy: number | null;
  code: string | null;
  params: Record<string, string>;
  message: string;
}
export interface Job {
  id: string;
  status: JobStatus;
  total: number;
  done: number;
  deals: DealCopyResult[];
  undo: { status: string; closed: number[]; notUndone: { leadId: number; reason: string; code: string | null; params: Record<string, string> }[] } | null;
  /** Why the job was cancelled or skipped, when it was (English), with its code for the user's language. */
  reason: string | null;
  reasonCode: string | null;
  reasonParams: Record<string, string>;
  /** How many times a step failed and was tried again; with the last failure (a code of docs/API.md). */
  retries: number;
  lastError: { code: string; params: Record<string, string>; message: string } | null;
}

/** A field a copy would leave out, with its reason code (docs/API.md "Report codes"). */
export interface SkippedField { fieldId: number; name: string; reason: string; code: string | null; params: Record<string, string> }

/** One source deal of a dry run: its copies and what each would carry. */
export interface PreviewDeal {
  sourceId: number;
  name: string;
  copies: { n: number; name: string; pipelineId: number; statusId: number; responsibleUserId: number | null }[];
  fields: number;
  price: number | null;
  contacts: { id: number; isMain: boolean }[];
  companyId: number | null;
  products: { id: number; quantity: number }[];
  tags: string[];
  notes: number;
  tasks: number;
  skippedFields: SkippedField[];
}

/** What a copy would do, written nowhere (POST /api/v1/copies/preview): the summary, then every deal. */
export interface CopyPreview {
  deals: number;
  copies: number;
  targets: { pipelineId: number; statusId: number; copies: number }[];
  responsibles: { userId: number | null; copies: number }[];
  skippedFields: number;
  skippedByCode: { code: string; count: number }[];
  requests: { total: number; reads: number; writes: number; requestsPerSecond: number; seconds: number };
  items: PreviewDeal[];
}

/** One run in the history (GET /api/v1/copies). */
export interface JobSummary {
  id: string;
  status: JobStatus;
  kind: 'copy' | 'repeat';
  /** The amoCRM user who started it; 0 = a Digital Pipeline rule. */
  startedBy: number;
  createdAt: number;
  finishedAt: number | null;
  deals: number;
  total: number;
  done: number;
  created: number;
  failed: number;
  canUndo: boolean;
}
export interface HistoryPage {
  total: number;
  offset: number;
  items: JobSummary[];
}

/** One problem of a refused request (problem+json `refusals`). */
export interface Refusal {
  field: string;
  code: string;
  params: Record<string, string>;
  message: string;
}

/**
 * What went wrong talking to the backend, in a shape the UI can show:
 * unreachable (network) → message + Retry; problem (problem+json) → title/detail + per-field errors.
 */
export type BackendError =
  | { kind: 'unreachable' }
  | { kind: 'problem'; status: number; title: string; detail?: string; fieldErrors: Record<string, string[]>; code?: string; params?: Record<string, string>; refusals?: Refusal[] }
  | { kind: 'unexpected'; status: number }
  | { kind: 'invalid_response'; issues: string };

export class BackendFailure extends Error {
  constructor(readonly error: BackendError) {
    super(`backend: ${error.kind}`);
    this.name = 'BackendFailure';
  }
}

/** The widget's languages (amoCRM's lang_id other than ru reads in en). */
export type Lang = 'ru' | 'en';

/** i18n dictionary: nested objects of strings, as in i18n/ru.json. */
export interface Messages {
  [key: string]: string | Messages;
}

/** One reason the backend refused a request: a stable code the widget words in the user's language. */
export interface Refusal {
  field: string;
  code: string;
  params: Record<string, string>;
  message: string;
}

/** Who may copy (kept on the server) and what the settings screen may offer. */
export interface Access {
  userIds: number[];
  groupIds: number[];
  mayEdit: boolean;
  users: { id: number; name: string }[];
  groups: { id: number; name: string }[];
}
