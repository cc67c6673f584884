import axios, { type AxiosInstance } from 'axios';
import type { Access, CopyOptions, CopyPreview, HistoryPage, Job, Meta } from '../infrastructure/types';
import { accessDto, dpKeyDto, historyDto, jobAcceptedDto, jobDto, metaDto, previewDto, toAccess, toCopyOptionsDto, toHistoryPage, toJob, toMeta, toPreview } from './dto';
import { parseAnswer, toBackendFailure } from './backendErrors';
import { authorizedAjaxAdapter, type AuthorizedAjax } from './authorizedAjaxAdapter';

/** The DealCopy backend's /api/v1 as the App layer sees it: models in, models out, BackendFailure on error. */
export interface BackendApi {
  getMeta(): Promise<Meta>;
  startCopy(leadIds: number[], options: CopyOptions, idempotencyKey?: string): Promise<{ id: string }>;
  /** The dry run: the copy's body, the copy's refusals, nothing written to amoCRM. */
  previewCopy(leadIds: number[], options: CopyOptions): Promise<CopyPreview>;
  getJob(id: string): Promise<Job>;
  undo(id: string): Promise<void>;
  /** The runs the user may see, newest first (their own; an admin's: everyone's). */
  listJobs(offset: number, limit: number): Promise<HistoryPage>;
  /** The account's DP key, or null when the backend does not offer DP rules yet (404). */
  getDpKey(): Promise<string | null>;
  /** Who may copy, as the server keeps it. */
  getAccess(): Promise<Access>;
  /** Replaces who may copy (amoCRM admins only: others get a refusal). */
  saveAccess(userIds: number[], groupIds: number[]): Promise<Access>;
}

export function createHttp(baseURL: string, ajax: AuthorizedAjax | undefined): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: 30_000,
    headers: { Accept: 'application/json, application/problem+json' },
    ...(ajax ? { adapter: authorizedAjaxAdapter(ajax) } : {}),
  });
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toBackendFailure(error);
  }
}

export function createBackendApi(http: AxiosInstance): BackendApi {
  return {
    getMeta: () => call(async () => toMeta(parseAnswer(metaDto, (await http.get('/api/v1/meta')).data))),

    startCopy: (leadIds, options, idempotencyKey) =>
      call(async () => {
        const body = { lead_ids: leadIds, ...toCopyOptionsDto(options), ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}) };
        const answer = parseAnswer(jobAcceptedDto, (await http.post('/api/v1/copies', body)).data);
        return { id: answer.id };
      }),

    previewCopy: (leadIds, options) =>
      call(async () => toPreview(parseAnswer(previewDto, (await http.post('/api/v1/copies/preview', { lead_ids: leadIds, ...toCopyOptionsDto(options) })).data))),

    getJob: (id) => call(async () => toJob(parseAnswer(jobDto, (await http.get(`/api/v1/copies/${encodeURIComponent(id)}`)).data))),

    listJobs: (offset, limit) =>
      call(async () => toHistoryPage(parseAnswer(historyDto, (await http.get('/api/v1/copies', { params: { offset, limit } })).data))),

    undo: (id) => call(async () => void (await http.post(`/api/v1/copies/${encodeURIComponent(id)}/undo`))),

    getAccess: () => call(async () => toAccess(parseAnswer(accessDto, (await http.get('/api/v1/settings')).data))),

    saveAccess: (userIds, groupIds) =>
      call(async () => toAccess(parseAnswer(accessDto, (await http.put('/api/v1/settings', { allowed_user_ids: userIds, allowed_group_ids: groupIds })).data))),

    getDpKey: () =>
      call(async () => {
        const response = await http.get('/api/v1/dp/key', { validateStatus: (s) => (s >= 200 && s < 300) || s === 404 });
        if (response.status === 404) return null;
        return parseAnswer(dpKeyDto, response.data).key;
      }),
  };
}
