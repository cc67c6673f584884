using System.Collections.Concurrent;
using DealCopy.AmoClient.Errors;
using DealCopy.AmoClient.Model;
using DealCopy.AmoClient.Tests.Support;

namespace DealCopy.AmoClient.Tests.Sandbox;

/// <summary>Retries only where repeating is safe; 429, 403, 504, timeouts and broken bodies each end the right way.</summary>
public sealed class ResilienceTests
{
    private static async Task<List<LeadWrite>> NewLeadsAsync(SandboxHarness h, int count, string name)
    {
        var main = (await h.Api.Account.GetPipelinesAsync()).Single(p => p.IsMain == true);
        var stage = main.Statuses.First(s => !s.IsUnsorted);
        return Enumerable.Range(0, count).Select(i => new LeadWrite { Name = $"{name} {i}", PipelineId = main.Id, StatusId = stage.Id }).ToList();
    }

    [Fact]
    public async Task Rate_limited_read_waits_exactly_retry_after_on_the_clock_then_succeeds()
    {
        var time = new ObservedTimeProvider();
        var retries = new ConcurrentQueue<AmoRetryEvent>();
        await using var h = await SandboxHarness.StartAsync(time: time, client: o => o.OnRetry = retries.Enqueue);
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/leads/pipelines", kind = "status", status = 429, retry_after = 30, count = 1 });

        var call = h.Api.Account.GetPipelinesAsync();
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        var pipelines = await call;

        Assert.Equal(4, pipelines.Count);
        var retry = Assert.Single(retries);
        Assert.Equal(TimeSpan.FromSeconds(30), retry.Delay);
        Assert.IsType<AmoRateLimitedException>(retry.Error);
        Assert.Equal(2, (await h.Control.RequestsAsync("GET", "/api/v4/leads/pipelines")).Count);
    }

    [Fact]
    public async Task Rate_limit_longer_than_the_client_may_wait_goes_to_the_caller_with_retry_after()
    {
        await using var h = await SandboxHarness.StartAsync(client: o => o.MaxRetryAfter = TimeSpan.FromSeconds(10));
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/account", kind = "status", status = 429, retry_after = 300, count = 1 });

        var e = await Assert.ThrowsAsync<AmoRateLimitedException>(() => h.Api.Account.GetAsync());

        Assert.Equal(TimeSpan.FromSeconds(300), e.RetryAfter);
    }

    [Fact]
    public async Task Server_error_on_a_read_is_retried_until_it_succeeds()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/leads/pipelines", kind = "status", status = 500, count = 2 });

        var pipelines = await h.Api.Account.GetPipelinesAsync();

        Assert.Equal(4, pipelines.Count);
        Assert.Equal(3, (await h.Control.RequestsAsync("GET", "/api/v4/leads/pipelines")).Count);
    }

    [Fact]
    public async Task Server_error_on_a_write_is_not_repeated()
    {
        await using var h = await SandboxHarness.StartAsync();
        var leads = await NewLeadsAsync(h, 2, "no retry");
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "status", status = 500, count = 1 });

        var e = await Assert.ThrowsAsync<AmoTransientException>(() => h.Api.Leads.CreateAsync(leads));

        Assert.Equal(500, (int?)e.StatusCode);
        Assert.Single(await h.Control.RequestsAsync("POST", "/api/v4/leads"));
    }

    [Fact]
    public async Task Server_error_on_a_write_is_repeated_when_the_caller_can_reconcile()
    {
        await using var h = await SandboxHarness.StartAsync();
        var leads = await NewLeadsAsync(h, 2, "reconcilable");
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "status", status = 503, count = 1 });

        var created = await h.Api.Leads.CreateAsync(leads, canReconcile: true);

        Assert.Equal(2, created.Count);
        Assert.Equal(2, (await h.Control.RequestsAsync("POST", "/api/v4/leads")).Count);
    }

    [Fact]
    public async Task Bulk_link_is_repeated_after_a_server_error_only_when_the_caller_can_reconcile()
    {
        await using var h = await SandboxHarness.StartAsync();
        var target = (await h.Api.Leads.CreateAsync(await NewLeadsAsync(h, 1, "link target")))[0].Id;
        var contact = (await h.Api.Contacts.CreateAsync([new ContactWrite { Name = "linked" }]))[0].Id;
        LinkWrite[] links = [LinkWrite.Contact(target, contact, isMain: true)];
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads/link", kind = "status", status = 502, count = 2 });

        await Assert.ThrowsAsync<AmoTransientException>(() => h.Api.Links.LinkAsync(links));
        await h.Api.Links.LinkAsync(links, canReconcile: true);

        Assert.Equal(3, (await h.Control.RequestsAsync("POST", "/api/v4/leads/link")).Count);
        Assert.Contains(await h.Api.Links.GetForLeadAsync(target), l => l.ToEntityId == contact && l.Metadata?.MainContact == true);
    }

    [Fact]
    public async Task Lost_answer_to_a_create_is_reported_as_uncertain_and_not_repeated()
    {
        await using var h = await SandboxHarness.StartAsync();
        var leads = await NewLeadsAsync(h, 1, "lost answer");
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "lost_response", count = 1 });

        var e = await Assert.ThrowsAsync<AmoTransientException>(() => h.Api.Leads.CreateAsync(leads));

        Assert.Null(e.StatusCode);
        // counted on the client's side: the sandbox may log a dropped exchange after the client has already seen the drop
        Assert.Single(h.Recorder.Requests, r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath == "/api/v4/leads");
        // the sandbox did the work: reconciling would find exactly one
        Assert.Single(await h.Api.Leads.ListAllAsync(new() { Name = "lost answer 0" }));
    }

    [Fact]
    public async Task Read_that_hangs_times_out_and_is_retried()
    {
        await using var h = await SandboxHarness.StartAsync(client: o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/account", kind = "timeout", count = 1 });

        var account = await h.Api.Account.GetAsync();

        Assert.Equal(h.AccountId, account.Id);
    }

    [Fact]
    public async Task Write_that_hangs_times_out_as_uncertain_and_is_not_repeated()
    {
        await using var h = await SandboxHarness.StartAsync(client: o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        var leads = await NewLeadsAsync(h, 1, "hanging");
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "timeout", count = 1 });

        var e = await Assert.ThrowsAsync<AmoTransientException>(() => h.Api.Leads.CreateAsync(leads));

        Assert.True(e.IsTimeout);
        // counted on the client's side: the sandbox logs a held request only when it lets go of it
        Assert.Single(h.Recorder.Requests, r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath == "/api/v4/leads");
    }

    [Fact]
    public async Task Gateway_timeout_on_a_large_batch_halves_it_and_completes()
    {
        await using var h = await SandboxHarness.StartAsync();
        var leads = await NewLeadsAsync(h, 40, "halved");
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "status", status = 504, count = 1 });

        var created = await h.Api.Leads.CreateAsync(leads, canReconcile: true);

        Assert.Equal(leads.Select(l => l.RequestId), created.Select(c => c.RequestId));
        Assert.Equal(40, created.Select(c => c.Id).Distinct().Count());
        Assert.Equal(3, (await h.Control.RequestsAsync("POST", "/api/v4/leads")).Count);
        Assert.Equal(40, (await h.Api.Leads.GetByIdsAsync(created.Select(c => c.Id))).Count);
    }

    [Fact]
    public async Task Gateway_timeout_on_a_create_that_cannot_reconcile_is_not_sent_again_in_halves()
    {
        await using var h = await SandboxHarness.StartAsync();
        var leads = await NewLeadsAsync(h, 40, "not-halved");
        // a 504 may come after amoCRM committed: halves sent again would make every deal twice
        await h.Control.AddFaultAsync(new { method = "POST", path = "/api/v4/leads", kind = "status", status = 504, count = 1 });

        await Assert.ThrowsAsync<AmoBatchTooLargeException>(() => h.Api.Leads.CreateAsync(leads));

        Assert.Single(await h.Control.RequestsAsync("POST", "/api/v4/leads"));
    }

    [Fact]
    public async Task Gateway_timeout_on_a_large_read_halves_the_ids_and_completes()
    {
        await using var h = await SandboxHarness.StartAsync();
        var ids = (await h.Api.Leads.ListAllAsync(new())).Select(l => l.Id).Take(200).ToList();
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/leads", kind = "status", status = 504, count = 1 });

        var leads = await h.Api.Leads.GetByIdsAsync(ids);

        Assert.Equal(ids.Order(), leads.Select(l => l.Id).Order());
    }

    [Fact]
    public async Task Blocked_account_surfaces_as_stop_and_is_not_retried()
    {
        await using var h = await SandboxHarness.StartAsync(
            o => { o.RequestsPerSecond = 1; o.BlockAfterViolations = 1; },
            o => o.MaxRetryAfter = TimeSpan.Zero);

        AmoForbiddenException? forbidden = null;
        for (var i = 0; i < 5 && forbidden is null; i++)
        {
            try
            {
                await h.Api.Account.GetAsync();
            }
            catch (AmoRateLimitedException)
            {
                // the violation that gets the account blocked
            }
            catch (AmoForbiddenException e)
            {
                forbidden = e;
            }
        }
        Assert.NotNull(forbidden);
        var before = h.Recorder.Requests.Count;
        await Assert.ThrowsAsync<AmoForbiddenException>(() => h.Api.Account.GetAsync());

        Assert.Equal(AmoErrorKind.Forbidden, forbidden.Kind);
        Assert.True(forbidden.IsHtml);
        Assert.Equal(before + 1, h.Recorder.Requests.Count);
    }

    [Fact]
    public async Task Users_with_a_managers_token_are_forbidden_not_retried()
    {
        await using var h = await SandboxHarness.StartAsync();
        var managerToken = await h.Control.CreateTokenAsync(h.AccountId, userId: 5000002);
        await h.Store.SaveAsync(h.AccountId, OAuth.AmoTokens.LongLived(managerToken), default);

        var e = await Assert.ThrowsAsync<AmoForbiddenException>(() => h.Api.Account.GetUsersAsync());

        Assert.False(e.IsHtml);
        Assert.Single(await h.Control.RequestsAsync("GET", "/api/v4/users"));
        Assert.Equal(h.AccountId, (await h.Api.Account.GetAsync()).Id); // other calls still work
    }

    [Fact]
    public async Task Unpaid_account_is_reported_as_payment_required_and_not_retried()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/contacts", kind = "status", status = 402, count = 1 });

        var e = await Assert.ThrowsAsync<AmoPaymentRequiredException>(() => h.Api.Contacts.GetByIdsAsync([1, 2]));

        Assert.Equal(AmoErrorKind.PaymentRequired, e.Kind);
        Assert.Single(await h.Control.RequestsAsync("GET", "/api/v4/contacts"));
    }

    [Fact]
    public async Task Html_403_is_a_clear_error_naming_status_and_body()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/account", kind = "html", status = 403, count = 1 });

        var e = await Assert.ThrowsAsync<AmoForbiddenException>(() => h.Api.Account.GetAsync());

        Assert.Contains("403", e.Message);
        Assert.NotNull(e.Response?.BodyExcerpt);
        Assert.Contains("<", e.Response!.BodyExcerpt);
        Assert.Single(await h.Control.RequestsAsync("GET", "/api/v4/account"));
    }

    [Fact]
    public async Task Html_where_json_was_due_is_a_clear_error_not_an_empty_result()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.Control.AddFaultAsync(new { method = "GET", path = "/api/v4/leads", kind = "html", status = 400, count = 1 });

        var e = await Assert.ThrowsAsync<AmoUnexpectedResponseException>(() => h.Api.Leads.ListAllAsync(new()));

        Assert.Contains("400", e.Message);
        Assert.Contains("not amoCRM JSON", e.Message);
        Assert.Contains("<", e.Response!.BodyExcerpt);
    }

    [Fact]
    public async Task Cancellation_stops_the_call_as_cancelled()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Api.Account.GetAsync(cancellationToken: cts.Token));
    }
}

/// <summary>Headers and the pacing seam.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Every_request_carries_user_agent_client_uuid_json_accept_and_the_bearer_token()
    {
        await using var h = await SandboxHarness.StartAsync();
        var main = (await h.Api.Account.GetPipelinesAsync()).Single(p => p.IsMain == true);
        await h.Api.Leads.CreateAsync([new LeadWrite { Name = "headers", PipelineId = main.Id, StatusId = main.Statuses.First(s => !s.IsUnsorted).Id }]);

        Assert.All(h.Recorder.Requests, r =>
        {
            Assert.Equal("DealCopy/0.1 (+amoCRM integration)", string.Join(' ', r.Headers.GetValues("User-Agent")));
            Assert.Equal(h.Sandbox.Options.ClientId, Assert.Single(r.Headers.GetValues("X-Client-UUID")));
            Assert.Contains(r.Headers.Accept, a => a.MediaType == "application/json");
            Assert.Equal("Bearer", r.Headers.Authorization?.Scheme);
        });
        var post = Assert.Single(h.Recorder.Requests, r => r.Method == HttpMethod.Post);
        Assert.Equal("application/json", post.Content!.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Every_api_request_takes_a_slot_from_the_gate_and_gives_it_back()
    {
        var gate = new CountingGate();
        await using var h = await SandboxHarness.StartAsync(gate: gate);

        await h.Api.Account.GetPipelinesAsync();
        await h.Api.CustomFields.GetAsync();

        Assert.Equal(h.Recorder.Requests.Count, gate.Acquired);
        Assert.Equal(0, gate.Held);
        Assert.All(gate.Accounts, a => Assert.Equal(h.AccountId, a));
    }

    private sealed class CountingGate : IAmoRequestGate
    {
        private int _acquired;
        private int _held;
        public ConcurrentBag<long> Accounts { get; } = [];
        public int Acquired => _acquired;
        public int Held => _held;

        public Task<IDisposable> AcquireAsync(long accountId, CancellationToken cancellationToken)
        {
            Accounts.Add(accountId);
            Interlocked.Increment(ref _acquired);
            Interlocked.Increment(ref _held);
            return Task.FromResult<IDisposable>(new Slot(this));
        }

        private sealed class Slot(CountingGate gate) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref gate._held);
        }
    }
}
