using DealCopy.Actors.Copying;

namespace DealCopy.Actors.Tests.Copying;

public sealed class NameTemplateProblemTests
{
    [Theory]
    [InlineData("{name}")]
    [InlineData("Повтор {name} #{id} от {date}, копия {n}")]
    [InlineData("без подстановок")]
    [InlineData("{ name } is text, not a placeholder")]
    public void Good_templates_have_no_problem(string template) => Assert.Null(NameTemplate.Problem(template));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("{title}", "{title}")]
    [InlineData("{name} {client} {client} {}", "{client}, {}")]
    public void Bad_templates_say_what_is_wrong(string template, string mentioned)
    {
        var problem = NameTemplate.Problem(template);

        Assert.NotNull(problem);
        Assert.Contains(mentioned, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_longer_than_a_deal_name_is_refused()
    {
        Assert.Contains("255", NameTemplate.Problem(new string('a', 256)), StringComparison.Ordinal);
        Assert.Null(NameTemplate.Problem(new string('a', 255)));
    }
}

public sealed class MarkerTests
{
    [Theory]
    [InlineData("demo.amocrm.ru", 4242, "0123456789abcdef0123456789abcdef", 1)]
    [InlineData("x.kommo.com", 1, "ab", 50)]
    [InlineData("demo.amocrm.ru", long.MaxValue, "0123456789abcdef0123456789abcdef", int.MaxValue)]
    public void A_marker_names_its_source_job_and_copy_number(string referer, long sourceId, string jobId, int n)
    {
        var value = Marker.Value(referer, sourceId, jobId, n);

        Assert.StartsWith($"https://{referer}/leads/detail/{sourceId}", value, StringComparison.Ordinal);
        Assert.True(Marker.TryParse(value, out var parsedSource, out var parsedJob, out var parsedN));
        Assert.Equal((sourceId, jobId, n), (parsedSource, parsedJob, parsedN));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://demo.amocrm.ru/leads/detail/4242")]
    [InlineData("https://demo.amocrm.ru/leads/detail/4242#dealcopy-XYZ-1")]
    [InlineData("https://demo.amocrm.ru/leads/detail/4242#dealcopy-abc-")]
    [InlineData("https://demo.amocrm.ru/leads/detail/4242#dealcopy-abc-1 trailing")]
    [InlineData("https://demo.amocrm.ru/leads/detail/99999999999999999999999#dealcopy-abc-1")]
    [InlineData("https://demo.amocrm.ru/leads/detail/4242#dealcopy-abc-99999999999")]
    [InlineData("копия сделки 4242")]
    public void Anything_else_is_not_a_marker(string? value)
    {
        Assert.False(Marker.TryParse(value, out var sourceId, out var jobId, out var n));
        Assert.Equal((0L, "", 0), (sourceId, jobId, n));
    }
}
