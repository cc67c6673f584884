using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DealCopy.Host.Tests.Support;

namespace DealCopy.Host.Tests;

/// <summary><c>/metrics</c> (Prometheus text format) after a real copy shows that copy's figures, as amoCRM saw them.</summary>
public sealed partial class MetricsTests : HostTestBase
{
    [Fact]
    public async Task Metrics_after_a_copy_show_its_requests_batches_job_and_hooks()
    {
        var sources = Leads(await DumpAsync()).Where(l => l["pipeline_id"]!.GetValue<long>() == Sales).Take(3).Select(l => l["id"]!.GetValue<long>()).ToArray();
        await Sandbox.Control.ClearRequestsAsync();
        var job = await CopyAndWaitAsync(new { lead_ids = sources, target = new { pipeline_id = Repeat } });
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        using (var forged = await Host.Http.PostAsync("hooks/dp", new StringContent("{}", Encoding.UTF8, "application/json")))
            Assert.False(forged.IsSuccessStatusCode);

        using var response = await Host.Http.GetAsync("metrics");
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        var samples = Parse(await response.Content.ReadAsStringAsync());

        // amoCRM's own log of what we sent is the truth the counters must match
        var seen = await Sandbox.Control.RequestsAsync(Sandbox.DemoAccountId);
        Assert.NotEmpty(seen);
        Assert.Equal(seen.Count, Sum(samples, "dealcopy_amo_requests_total"));
        foreach (var group in seen.GroupBy(e => (e.Method, Route: Regex.Replace(e.Path, @"/\d+(?=/|$)", "/{id}"), e.Status)))
            Assert.Equal(group.Count(), Sum(samples, "dealcopy_amo_requests_total", ("method", group.Key.Method), ("route", group.Key.Route), ("status", group.Key.Status.ToString(CultureInfo.InvariantCulture))));
        Assert.Equal(0, Sum(samples, "dealcopy_amo_throttled_total"));
        Assert.Equal(seen.Count, Sum(samples, "dealcopy_amo_rate_wait_seconds_count")); // one slot per request

        // the three copies went out in one batched create
        var creates = seen.Count(e => e.Method == "POST" && e.Path == "/api/v4/leads");
        Assert.Equal(creates, Sum(samples, "dealcopy_amo_batch_size_count", ("operation", "create-leads")));
        Assert.Equal(sources.Length, Sum(samples, "dealcopy_amo_batch_size_sum", ("operation", "create-leads")));
        Assert.Equal(CopiesOf(await DumpAsync(), job["id"]!.GetValue<string>()).Count, Sum(samples, "dealcopy_amo_batch_size_sum", ("operation", "create-leads")));

        Assert.Equal(1, Sum(samples, "dealcopy_jobs_accepted_total", ("kind", "copy")));
        Assert.Equal(1, Sum(samples, "dealcopy_jobs_finished_total", ("status", "completed")));
        Assert.Equal(1, Sum(samples, "dealcopy_copy_duration_seconds_count", ("status", "completed")));
        Assert.InRange(Sum(samples, "dealcopy_copy_duration_seconds_sum"), 0, 60);
        Assert.Equal(1, Sum(samples, "dealcopy_accounts_active"));
        Assert.Equal(1, Sum(samples, "dealcopy_hooks_received_total", ("hook", "dp"), ("outcome", "refused")));
        Assert.Equal(0, Sum(samples, "dealcopy_hooks_received_total", ("outcome", "accepted")));
    }

    [Fact]
    public async Task Metrics_answer_only_on_the_operator_listener_when_it_has_its_own()
    {
        await using var separate = await TestHost.StartAsync(Sandbox, DataPath + "-admin", overrides: new Dictionary<string, string?> { ["Admin:Urls"] = "http://127.0.0.1:0" });
        using var main = await separate.Http.GetAsync("metrics");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, main.StatusCode);
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static List<Sample> Parse(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Line().Match(l)).Where(m => m.Success).Select(m => new Sample(
            m.Groups["name"].Value,
            Label().Matches(m.Groups["labels"].Value).ToDictionary(x => x.Groups[1].Value, x => x.Groups[2].Value),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))).ToList();

    private static double Sum(List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Line();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
