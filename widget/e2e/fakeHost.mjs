// An in-memory stand-in for DealCopy.Host in sandbox mode, following docs/API.md: the same routes
// (/harness/, /widget/, /api/v1, /sandbox/widget-token, /healthz/ready) and the same answers, so the
// harness and the browser tests run before (and independently of) the real Host.
// Usage: node e2e/fakeHost.mjs [--port 5090]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png' };

const META = {
  account: { id: 31000001, subdomain: 'dealcopy-demo' },
  pipelines: [
    { id: 7100001, name: 'Продажи', is_main: true, statuses: [
      { id: 61000002, name: 'Первичный контакт', sort: 30, color: '#99ccff', kind: 'open' },
      { id: 61000003, name: 'Переговоры', sort: 40, color: '#ffff99', kind: 'open' },
      { id: 142, name: 'Успешно реализовано', kind: 'won' }, { id: 143, name: 'Закрыто и не реализовано', kind: 'lost' }] },
    { id: 7100002, name: 'Повторные продажи', is_main: false, statuses: [
      { id: 62000002, name: 'Новый запрос', sort: 30, kind: 'open' }, { id: 62000003, name: 'Предложение', sort: 40, kind: 'open' },
      { id: 142, name: 'Успешно реализовано', kind: 'won' }, { id: 143, name: 'Закрыто и не реализовано', kind: 'lost' }] },
  ],
  users: [{ id: 5000001, name: 'Анна Админова' }, { id: 5000002, name: 'Борис Продажин' }, { id: 5000003, name: 'Вера Менеджерова' }],
  lead_fields: [
    { id: 910005, name: 'Комментарий менеджера', type: 'text', copyable: true },
    { id: 910030, name: 'Маржа (формула)', type: 'numeric', copyable: false, reason: 'computed (formula) field' },
  ],
  loss_reasons: [{ id: 4200001, name: 'Дорого' }],
};

export async function startFakeHost({ port = 0, dealsPerSecond = 25, dpKey = null } = {}) {
  const tokens = new Set();
  const usedTokens = new Set();
  const jobs = new Map();
  const byKey = new Map();
  const leads = new Map();
  for (let id = 20000001; id <= 20000300; id++) leads.set(id, { id, name: `Сделка #${id}`, pipeline_id: 7100001, status_id: 61000002 });
  let nextLead = 30000001;

  const GROUPS = [{ id: 0, name: 'Отдел продаж' }, { id: 1, name: 'Отдел повторных продаж' }, { id: 2, name: 'Стажёры' }];
  let access = { allowed_user_ids: [], allowed_group_ids: [0, 1] }; // the demo's: Зоя's group is left out
  const refusal = (res, status, code, title) => send(res, status, { type: `https://httpstatus.es/${status}`, title, status, detail: title, code, params: {},
    refusals: [{ field: '', code, params: {}, message: title }] }, 'application/problem+json');
  const problem = (res, status, title, detail, errors) => send(res, status, { type: `https://httpstatus.es/${status}`, title, status, detail, ...(errors ? { errors } : {}) }, 'application/problem+json');
  function send(res, status, body, type = 'application/json') {
    res.writeHead(status, { 'content-type': type });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }
  async function body(req) {
    let text = '';
    for await (const chunk of req) text += chunk;
    try { return JSON.parse(text); } catch { return undefined; }
  }
  function progress(job) {
    if (job.status === 'running') {
      const due = Math.min(job.total, Math.floor(((Date.now() - job.started) / 1000) * dealsPerSecond));
      for (const deal of job.deals.slice(0, due)) {
        if (deal.status !== 'pending') continue;
        deal.status = 'done';
        for (let n = 1; n <= job.copies; n++) {
          const id = nextLead++;
          leads.set(id, { id, name: job.name.replace('{name}', leads.get(deal.source_id).name).replace('{n}', n).replace('{id}', deal.source_id),
            pipeline_id: job.target.pipeline_id, status_id: job.target.status_id, copy_of: deal.source_id });
          deal.copies.push({ n, lead_id: id, url: `https://dealcopy-demo.amocrm.ru/leads/detail/${id}` });
        }
        deal.skipped_fields = [{ field_id: 910030, name: 'Маржа (формула)', type: 'numeric', reason: 'computed (formula) field' }];
      }
      job.done = job.deals.filter((d) => d.status !== 'pending').length;
      if (job.done === job.total) { job.status = 'completed'; job.finished_at = Math.floor(Date.now() / 1000); }
    }
    if (job.status === 'undoing' && Date.now() - job.undoStarted > 300) {
      const closed = job.deals.flatMap((d) => d.copies.map((c) => c.lead_id));
      for (const id of closed) Object.assign(leads.get(id), { status_id: 143 });
      job.status = 'undone';
      job.undo = { status: 'done', closed, not_undone: [] };
    }
    const { started, undoStarted, copies, target, name, ...view } = job;
    return view;
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    try {
      if (path === '/healthz/ready') return send(res, 200, { status: 'ready' });
      if (path === '/sandbox/widget-token') {
        const token = `fake.${randomUUID()}.${url.searchParams.get('user_id') ?? ''}`;
        tokens.add(token);
        return send(res, 200, { token });
      }
      if (path === '/_fake/leads') return send(res, 200, [...leads.values()]);
      if (path.startsWith('/api/v1/')) {
        const token = req.headers['x-auth-token'];
        if (!token || !tokens.has(token) || usedTokens.has(token)) return problem(res, 401, 'Unauthorized', 'A fresh X-Auth-Token is required');
        usedTokens.add(token);
        const user = Number(token.split('.')[2]) || 5000001;
        const settingsView = () => ({ ...access, may_edit: user === 5000001, users: META.users.map((u) => ({ ...u, group_id: 0 })), groups: GROUPS });
        if (req.method === 'GET' && path === '/api/v1/settings') return send(res, 200, settingsView());
        if (req.method === 'PUT' && path === '/api/v1/settings') {
          if (user !== 5000001) return refusal(res, 403, 'settings.admin_only', 'Only administrators may change the settings');
          const b = await body(req);
          access = { allowed_user_ids: b.allowed_user_ids, allowed_group_ids: b.allowed_group_ids };
          return send(res, 200, settingsView());
        }
        // who may copy, kept here as the Host keeps it: Зоя (5000008) is in the trainees' group 2
        const allowed = (access.allowed_user_ids.length === 0 && access.allowed_group_ids.length === 0) || access.allowed_user_ids.includes(user)
          || access.allowed_group_ids.includes(user === 5000008 ? 2 : 0);
        if (!allowed && req.method === 'POST' && path.startsWith('/api/v1/copies')) return refusal(res, 403, 'rights.not_allowed', 'You may not copy deals');
        if (req.method === 'GET' && path === '/api/v1/meta') return send(res, 200, META);
        if (req.method === 'GET' && path === '/api/v1/dp/key') {
          if (!dpKey) return problem(res, 404, 'Not Found');
          // the Host hands the key to amoCRM admins only (repeat deals made with it run with the account's rights)
          if (user !== 5000001) return refusal(res, 403, 'rights.admin_only', 'Only administrators may set up Digital Pipeline rules');
          return send(res, 200, { key: dpKey });
        }
        if (req.method === 'POST' && (path === '/api/v1/copies' || path === '/api/v1/copies/preview')) {
          const b = await body(req);
          if (!b || !Array.isArray(b.lead_ids) || b.lead_ids.length < 1 || b.lead_ids.length > 500) return problem(res, 400, 'Malformed request', 'lead_ids: 1..500 deals');
          if (b.idempotency_key && byKey.has(b.idempotency_key)) { const id = byKey.get(b.idempotency_key); return send(res, 200, { id, status: jobs.get(id).status, url: `/api/v1/copies/${id}` }); }
          const missing = Object.fromEntries(b.lead_ids.map((id, i) => [i, id]).filter(([, id]) => !leads.has(id)).map(([i, id]) => [`lead_ids[${i}]`, `deal ${id} does not exist`]));
          if (Object.keys(missing).length) return problem(res, 404, 'Source deals not found', `${Object.keys(missing).length} of the deals do not exist`, missing);
          const pipeline = META.pipelines.find((p) => p.id === b.target?.pipeline_id);
          if (!pipeline) return problem(res, 422, 'Unknown pipeline', `Pipeline ${b.target?.pipeline_id} does not exist`, { 'target.pipeline_id': 'unknown pipeline' });
          const status = b.target.status_id ?? pipeline.statuses[0].id;
          if (!pipeline.statuses.some((s) => s.id === status)) return problem(res, 422, 'Unknown stage', `Stage ${status} is not in pipeline ${pipeline.id}`, { 'target.status_id': 'unknown stage' });
          if (path.endsWith('/preview')) {
            // the dry run as docs/API.md shapes it: the same checks as the copy, nothing created
            const copies = b.copies ?? 1;
            const users = b.responsible?.mode === 'keep' || !b.responsible ? [user] : b.responsible.user_ids;
            let seq = 0;
            const items = b.lead_ids.map((source_id) => ({
              source_id, name: leads.get(source_id).name, fields: 1, price: null, contacts: [], company_id: null, products: [], tags: [], notes: 0, tasks: 0,
              copies: Array.from({ length: copies }, (_, i) => ({ n: i + 1, name: (b.name_template ?? '{name}').replace('{name}', leads.get(source_id).name).replace('{n}', String(i + 1)),
                pipeline_id: pipeline.id, status_id: status, responsible_user_id: users[seq++ % users.length] })),
              skipped_fields: [{ field_id: 910030, name: 'Маржа (формула)', type: 'numeric', reason: 'computed (formula) field: amoCRM calculates it', code: 'field.computed', params: {} }],
            }));
            const all = items.flatMap((d) => d.copies);
            const responsibles = [...new Set(all.map((c) => c.responsible_user_id))].map((u) => ({ user_id: u, copies: all.filter((c) => c.responsible_user_id === u).length }));
            const total = Math.ceil(b.lead_ids.length / 250) + 2 * Math.ceil(all.length / 50);
            return send(res, 200, { deals: items.length, copies: all.length, targets: [{ pipeline_id: pipeline.id, status_id: status, copies: all.length }], responsibles,
              skipped_fields: items.length, skipped_by_code: [{ code: 'field.computed', count: items.length }],
              requests: { total, reads: Math.ceil(b.lead_ids.length / 250), writes: total - Math.ceil(b.lead_ids.length / 250), requests_per_second: 7, seconds: Math.ceil(total / 7), steps: {} },
              items });
          }
          const id = randomUUID();
          jobs.set(id, { id, status: 'running', created_at: Math.floor(Date.now() / 1000), finished_at: null, total: b.lead_ids.length, done: 0,
            deals: b.lead_ids.map((source_id) => ({ source_id, status: 'pending', copies: [], skipped_fields: [], errors: [] })), undo: null,
            started: Date.now(), copies: b.copies ?? 1, target: { pipeline_id: pipeline.id, status_id: status }, name: b.name_template ?? '{name}' });
          if (b.idempotency_key) byKey.set(b.idempotency_key, id);
          res.setHeader('location', `/api/v1/copies/${id}`);
          return send(res, 202, { id, status: 'accepted', url: `/api/v1/copies/${id}` });
        }
        const m = path.match(/^\/api\/v1\/copies\/([^/]+)(\/undo)?$/);
        if (m && jobs.has(m[1])) {
          const job = jobs.get(m[1]);
          if (req.method === 'GET' && !m[2]) return send(res, 200, progress(job));
          if (req.method === 'POST' && m[2]) {
            progress(job);
            if (job.status === 'running') return problem(res, 409, 'The job is still running');
            job.status = 'undoing';
            job.undoStarted = Date.now();
            return send(res, 202, progress(job));
          }
        }
        return problem(res, 404, 'Not Found', `No ${req.method} ${path}`);
      }
      const file = path.startsWith('/harness/') ? path.slice(1) : path.startsWith('/widget/') ? path.slice('/widget/'.length) : null;
      if (file !== null) {
        const full = normalize(join(dist, file.endsWith('/') || file === 'harness' ? `${file}/index.html`.replace('//', '/') : file));
        if (!full.startsWith(dist)) return send(res, 403, {});
        const content = await readFile(full).catch(() => null);
        if (!content) return problem(res, 404, 'Not Found');
        res.writeHead(200, { 'content-type': types[extname(full)] ?? 'application/octet-stream' });
        return res.end(content);
      }
      return problem(res, 404, 'Not Found');
    } catch (error) {
      return problem(res, 500, 'Fake host failed', String(error));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    leads,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--port');
  const host = await startFakeHost({ port: at > 0 ? Number(process.argv[at + 1]) : 5090 });
  console.log(`fake DealCopy host on ${host.baseUrl}/harness/`);
}
