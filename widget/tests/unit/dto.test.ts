import { copyOptionsDto, fromCopyOptionsDto, jobDto, metaDto, toCopyOptionsDto, toJob, toMeta } from '../../src/data/dto';
import { parseAnswer, problemFrom } from '../../src/data/backendErrors';
import { BackendFailure, type CopyOptions } from '../../src/infrastructure/types';
import { defaultCopyOptions } from '../../src/infrastructure/validators';

const metaJson = {
  account: { id: 31000001, subdomain: 'dealcopy-demo' },
  pipelines: [{ id: 7100001, name: 'Продажи', is_main: true, statuses: [
    { id: 61000002, name: 'Первичный контакт', sort: 30, color: '#99ccff', kind: 'open' },
    { id: 142, name: 'Успешно реализовано', kind: 'won' }, { id: 143, name: 'Закрыто и не реализовано', kind: 'lost' }] }],
  users: [{ id: 5000002, name: 'Борис Продажин' }],
  lead_fields: [{ id: 910005, name: 'Комментарий менеджера', type: 'text', copyable: true },
    { id: 910030, name: 'Маржа (формула)', type: 'numeric', copyable: false, reason: 'computed (formula) field' }],
  loss_reasons: [{ id: 4200001, name: 'Дорого' }],
};

describe('backend DTOs', () => {
  it('reads the meta of docs/API.md', () => {
    const meta = toMeta(parseAnswer(metaDto, metaJson));
    expect(meta.pipelines[0]!.isMain).toBe(true);
    expect(meta.pipelines[0]!.stages.map((s) => s.kind)).toEqual(['open', 'won', 'lost']);
    expect(meta.leadFields[1]).toMatchObject({ copyable: false, reason: 'computed (formula) field' });
  });

  it('takes null for absent optional values, as the Host writes them', () => {
    const withNulls = structuredClone(metaJson) as Record<string, any>;
    withNulls.lead_fields[0].reason = null;
    withNulls.pipelines[0].statuses[0].color = null;
    withNulls.loss_reasons = null;
    const meta = toMeta(parseAnswer(metaDto, withNulls));
    expect(meta.leadFields[0]!.reason).toBeUndefined();
    expect(meta.lossReasons).toEqual([]);
    const job = toJob(parseAnswer(jobDto, { id: 'j', status: 'running', total: 1, done: 0, undo: null,
      deals: [{ source_id: 1, status: 'pending', copies: null, skipped_fields: null, errors: null }] }));
    expect(job.deals[0]).toMatchObject({ copies: [], skippedFields: [], problems: [] });
    expect(job).toMatchObject({ reasonCode: null, reasonParams: {} });
    expect(job).toMatchObject({ retries: 0, lastError: null });
    const slow = toJob(parseAnswer(jobDto, { id: 'j', status: 'waiting_for_account', total: 1, done: 0, deals: [], retries: 3,
      last_error: { code: 'account.blocked', params: {}, message: 'amoCRM answered 403' } }));
    expect(slow).toMatchObject({ status: 'waiting_for_account', retries: 3, lastError: { code: 'account.blocked', params: {}, message: 'amoCRM answered 403' } });
  });

  it('refuses a meta it does not understand with invalid_response, never a half-filled form', () => {
    try {
      parseAnswer(metaDto, { pipelines: 'nope' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BackendFailure);
      expect((e as BackendFailure).error.kind).toBe('invalid_response');
    }
  });

  it('reads a job status with copies, skipped fields and undo', () => {
    const job = toJob(parseAnswer(jobDto, {
      id: 'j', status: 'undone', created_at: 1, finished_at: 2, total: 2, done: 2,
      deals: [
        { source_id: 1, status: 'done', copies: [{ n: 1, lead_id: 9, url: 'https://a/leads/detail/9' }],
          skipped_fields: [{ field_id: 910030, name: 'Маржа', type: 'numeric', reason: 'computed' }], errors: [] },
        { source_id: 2, status: 'failed', copies: [], errors: [{ detail: 'Lead not found' }, 'plain'] },
      ],
      undo: { status: 'done', closed: [9], not_undone: [{ lead_id: 10, reason: 'gone' }] },
    }));
    expect(job.deals[0]!.copies[0]).toEqual({ n: 1, leadId: 9, url: 'https://a/leads/detail/9' });
    expect(job.deals[1]!.problems.map((p) => [p.code, p.message])).toEqual([[null, 'Lead not found'], [null, 'plain']]);
    expect(job.undo).toEqual({ status: 'done', closed: [9], notUndone: [{ leadId: 10, reason: 'gone', code: null, params: {} }] });
  });

  it('reads coded problems of copies, the original, the undo and the cancel reason', () => {
    const job = toJob(parseAnswer(jobDto, {
      id: 'j', status: 'cancelled', reason: 'loop guard: …', reason_code: 'repeat.loop_guard', reason_params: { depth: '1', max_depth: '1' },
      total: 1, done: 1,
      deals: [{ source_id: 2, status: 'failed', copies: [], errors: ['copy 1: the source deal no longer exists', 'original: left as it was: no copy was created'],
        problems: [{ copy: 1, code: 'copy.source_gone', params: { lead_id: '2' }, message: 'the source deal no longer exists' },
          { copy: null, code: 'original.no_copy', params: {}, message: 'left as it was: no copy was created' }] }],
      undo: { status: 'done', closed: [], not_undone: [{ lead_id: 10, reason: 'amoCRM refused to close the copy: x', code: 'undo.close_refused', params: { detail: 'x' } }] },
    }));
    expect(job.deals[0]!.problems).toEqual([
      { copy: 1, code: 'copy.source_gone', params: { lead_id: '2' }, message: 'the source deal no longer exists' },
      { copy: null, code: 'original.no_copy', params: {}, message: 'left as it was: no copy was created' },
    ]);
    expect(job).toMatchObject({ reasonCode: 'repeat.loop_guard', reasonParams: { depth: '1', max_depth: '1' } });
    expect(job.undo!.notUndone).toEqual([{ leadId: 10, reason: 'amoCRM refused to close the copy: x', code: 'undo.close_refused', params: { detail: 'x' } }]);
  });

  it.each(['scheduled', 'cancelled'])('reads a %s job with its reason and run_at', (status) => {
    const job = toJob(parseAnswer(jobDto, { id: 'j', status, reason: 'the deal left the stage', run_at: 1767225600,
      created_at: 1, finished_at: null, total: 1, done: 0, deals: [], undo: null }));
    expect(job).toMatchObject({ status, reason: 'the deal left the stage' });
  });

  it('writes the copy request of docs/API.md', () => {
    const o: CopyOptions = { ...defaultCopyOptions(), targetPipelineId: 7100002, responsibleMode: 'round_robin',
      responsibleUserIds: [5000002, 5000003], originalAction: 'close_lost', lossReasonId: 4200001 };
    expect(toCopyOptionsDto(o)).toEqual({
      copies: 1,
      target: { pipeline_id: 7100002, status_id: null },
      responsible: { mode: 'round_robin', user_ids: [5000002, 5000003] },
      name_template: '{name}',
      copy: { fields: 'all', price: true, contacts: true, company: true, tags: true, products: true, notes: false, open_tasks: false, finished_tasks: false },
      original: { action: 'close_lost', loss_reason_id: 4200001 },
    });
  });

  it.each<[string, Partial<CopyOptions>]>([
    ['defaults', {}],
    ['chosen fields', { copy: { ...defaultCopyOptions().copy, fields: 'some', fieldIds: [910005] } }],
    ['move', { originalAction: 'move', originalPipelineId: 7100001, originalStatusId: 61000002 }],
    ['fixed', { responsibleMode: 'fixed', responsibleUserIds: [5000003], targetStatusId: 62000001 }],
  ])('copy options survive a round trip: %s', (_n, patch) => {
    const o: CopyOptions = { ...defaultCopyOptions(), targetPipelineId: 7100001, ...patch };
    expect(fromCopyOptionsDto(copyOptionsDto.parse(JSON.parse(JSON.stringify(toCopyOptionsDto(o)))))).toEqual(o);
  });
});

describe('problem+json', () => {
  it.each([
    ['title, detail and field errors', 422, { type: 'x', title: 'Validation failed', status: 422, detail: 'The stage does not exist',
      errors: { 'target.status_id': 'unknown stage', 'lead_ids[3]': ['not found', 'twice'] } },
      { kind: 'problem', status: 422, title: 'Validation failed', detail: 'The stage does not exist',
        fieldErrors: { 'target.status_id': ['unknown stage'], 'lead_ids[3]': ['not found', 'twice'] } }],
    ['a JSON string body', 404, JSON.stringify({ title: 'Not found', status: 404 }),
      { kind: 'problem', status: 404, title: 'Not found', detail: undefined, fieldErrors: {} }],
    ['only a detail', 400, { detail: 'Bad body' }, { kind: 'problem', status: 400, title: 'Bad body', detail: undefined, fieldErrors: {} }],
    ['an HTML page', 502, '<html>Bad gateway</html>', { kind: 'unexpected', status: 502 }],
    ['an empty body', 500, '', { kind: 'unexpected', status: 500 }],
  ])('%s', (_n, status, body, expected) => {
    expect(problemFrom(status, body)).toEqual(expected);
  });
});
