import { createBackendApi, createHttp } from '../../src/data/backendApi';
import type { AuthorizedAjax, DeferredLike, JqXhrLike } from '../../src/data/authorizedAjaxAdapter';
import { BackendFailure } from '../../src/infrastructure/types';
import { defaultCopyOptions } from '../../src/infrastructure/validators';

type Outcome = { ok: true; status: number; body: string } | { ok: false; status: number; body?: string };

/** A jQuery-Deferred-shaped fake of amoCRM's $authorizedAjax. */
function fakeAjax(outcome: Outcome) {
  const requests: Parameters<AuthorizedAjax>[0][] = [];
  const ajax: AuthorizedAjax = (options) => {
    requests.push(options);
    const xhr: JqXhrLike = { status: outcome.status, responseText: outcome.body, getAllResponseHeaders: () => 'content-type: application/json\r\n' };
    const d: DeferredLike = {
      done(cb) { if (outcome.ok) queueMicrotask(() => cb(outcome.body, 'success', xhr)); return d; },
      fail(cb) { if (!outcome.ok) queueMicrotask(() => cb(xhr, 'error', 'x')); return d; },
    };
    return d;
  };
  return { ajax, requests };
}

describe('axios over $authorizedAjax', () => {
  it('sends the request through amoCRM and parses the JSON answer', async () => {
    const { ajax, requests } = fakeAjax({ ok: true, status: 202, body: '{"id":"job-9","status":"accepted","url":"/api/v1/copies/job-9"}' });
    const api = createBackendApi(createHttp('https://backend.test', ajax));
    const started = await api.startCopy([20000001], { ...defaultCopyOptions(), targetPipelineId: 7100002 }, 'key-1');
    expect(started).toEqual({ id: 'job-9' });
    expect(requests[0]).toMatchObject({ url: 'https://backend.test/api/v1/copies', method: 'POST', contentType: expect.stringContaining('application/json'), dataType: 'text' });
    expect(JSON.parse(requests[0]!.data!)).toMatchObject({ lead_ids: [20000001], idempotency_key: 'key-1', target: { pipeline_id: 7100002 } });
  });

  it('turns a problem+json refusal into a readable problem with field errors', async () => {
    const body = JSON.stringify({ title: 'Unknown stage', status: 422, detail: 'Stage 1 is not in pipeline 2', errors: { 'target.status_id': 'unknown' } });
    const api = createBackendApi(createHttp('', fakeAjax({ ok: false, status: 422, body }).ajax));
    const error = await api.getMeta().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendFailure);
    expect((error as BackendFailure).error).toEqual({ kind: 'problem', status: 422, title: 'Unknown stage',
      detail: 'Stage 1 is not in pipeline 2', fieldErrors: { 'target.status_id': ['unknown'] } });
  });

  it('reports a network failure as unreachable', async () => {
    const api = createBackendApi(createHttp('', fakeAjax({ ok: false, status: 0 }).ajax));
    const error = (await api.getJob('x').catch((e: unknown) => e)) as BackendFailure;
    expect(error.error).toEqual({ kind: 'unreachable' });
  });

  it('answers null for the DP key when the backend has no DP rules yet (404)', async () => {
    const api = createBackendApi(createHttp('', fakeAjax({ ok: false, status: 404, body: '{"title":"Not Found","status":404}' }).ajax));
    expect(await api.getDpKey()).toBeNull();
  });

  it('returns the DP key', async () => {
    const api = createBackendApi(createHttp('', fakeAjax({ ok: true, status: 200, body: '{"key":"abc"}' }).ajax));
    expect(await api.getDpKey()).toBe('abc');
  });

  it('sends GET without a body and with the job id escaped', async () => {
    const { ajax, requests } = fakeAjax({ ok: true, status: 200, body: '{"id":"a/b","status":"running","total":1,"done":0,"deals":[]}' });
    const job = await createBackendApi(createHttp('', ajax)).getJob('a/b');
    expect(job.status).toBe('running');
    expect(requests[0]).toMatchObject({ url: '/api/v1/copies/a%2Fb', method: 'GET', data: undefined, contentType: false });
  });
});
