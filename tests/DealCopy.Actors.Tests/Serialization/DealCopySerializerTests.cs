using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using DealCopy.Actors.Protocol;
using DealCopy.Actors.Serialization;
using Newtonsoft.Json;

namespace DealCopy.Actors.Tests.Serialization;

/// <summary>One actor system for the pure round-trips (the serializer needs one to exist).</summary>
public sealed class SerializerFixture : IDisposable
{
    public ActorSystem System { get; } = ActorSystem.Create("serializer-tests", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));

    public DealCopySerializer Serializer => new((ExtendedActorSystem)System);

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}

public sealed class DealCopySerializerTests(SerializerFixture fixture) : IClassFixture<SerializerFixture>
{
    /// <summary>Every concrete message type in the Actors assembly, found the way the serializer finds them.</summary>
    public static IEnumerable<Type> MessageTypes() => typeof(IDealCopyMessage).Assembly.GetTypes()
        .Where(t => typeof(IDealCopyMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static TheoryData<string> MessageTypeNames => new(MessageTypes().Select(t => t.FullName!));

    internal static string Json(object o) => JsonConvert.SerializeObject(o, DealCopySerializer.Settings);

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Every_message_round_trips_through_its_manifest(string typeName)
    {
        var type = MessageTypes().Single(t => t.FullName == typeName);
        Assert.True(Samples.ByType.TryGetValue(type, out var sample), $"{type.Name} has no sample in Samples.ByType: add one so its wire shape is tested");
        var serializer = fixture.Serializer;

        var manifest = serializer.Manifest(sample);
        var back = serializer.FromBinary(serializer.ToBinary(sample), manifest);

        Assert.IsType(type, back);
        Assert.Equal(Json(sample), Json(back));
    }

    [Fact]
    public void Every_sample_is_a_message_type_of_the_assembly()
    {
        Assert.Empty(Samples.ByType.Keys.Except(MessageTypes()));
    }

    [Fact]
    public void Manifests_are_unique_and_the_serializer_knows_every_type()
    {
        var serializer = fixture.Serializer;
        var manifests = Samples.ByType.Values.Select(serializer.Manifest).ToList();

        Assert.Empty(MessageTypes().GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(MessageTypes().ToHashSet(), DealCopySerializer.Types.Values.ToHashSet());
    }

    [Theory]
    [InlineData("NoSuchMessage")]
    [InlineData("")]
    [InlineData("DealCopy.Actors.Protocol.GetJob")]
    public void An_unknown_manifest_is_refused(string manifest)
    {
        var serializer = fixture.Serializer;
        var bytes = serializer.ToBinary(new GetJob(1, "x"));

        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, manifest));
        Assert.Contains("unknown manifest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_binding_picks_this_serializer_for_messages_and_snapshots()
    {
        var configured = ActorSystem.Create("bound", MessagesThroughTheWire.Config);
        try
        {
            Assert.IsType<DealCopySerializer>(configured.Serialization.FindSerializerFor(new GetJob(1, "x")));
            Assert.IsType<DealCopySerializer>(configured.Serialization.FindSerializerFor(Samples.ByType[typeof(DealCopy.Actors.Accounts.AccountState)]));
            Assert.Equal(DealCopySerializer.Id, configured.Serialization.FindSerializerFor(new TokensSaved(1)).Identifier);
        }
        finally
        {
            await configured.Terminate();
        }
    }
}

/// <summary>Journals written before problems had codes (bare English text) stay readable: events and snapshots.</summary>
public sealed class LegacyProblemJournalTests(SerializerFixture fixture) : IClassFixture<SerializerFixture>
{
    private object Read(string manifest, string json) => fixture.Serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json), manifest);

    [Fact]
    public void A_problem_journaled_as_text_reads_as_the_legacy_code_with_its_text()
    {
        var failed = Assert.IsType<CopyFailed>(Read(nameof(CopyFailed), """{"JobId":"j","Key":"1:1","Reason":"the source deal no longer exists"}"""));
        Assert.Equal((Reason.LegacyCode, "the source deal no longer exists"), (failed.Reason.Code, failed.Reason.Message));
        Assert.Equal("the source deal no longer exists", failed.Reason.Params["detail"]);

        var done = Assert.IsType<CopyStepDone>(Read(nameof(CopyStepDone), """{"JobId":"j","Key":"1:1","Step":"Notes","Problem":null}"""));
        Assert.Null(done.Problem);
        var cancelled = Assert.IsType<JobCancelled>(Read(nameof(JobCancelled), """{"JobId":"j","Reason":"loop guard","At":5}"""));
        Assert.Equal(Reason.LegacyCode, cancelled.Reason.Code);
    }

    [Fact]
    public void A_problem_with_a_code_round_trips_with_its_parameters()
    {
        var sample = new OriginalHandled("j", 7, Reason.Of("original.refused", "amoCRM refused to change the original: closed", ("detail", "closed")));
        var back = Assert.IsType<OriginalHandled>(fixture.Serializer.FromBinary(fixture.Serializer.ToBinary(sample), fixture.Serializer.Manifest(sample)));
        Assert.Equal(("original.refused", "closed", sample.Problem!.Message), (back.Problem!.Code, back.Problem.Params["detail"], back.Problem.Message));
    }

    [Fact]
    public void A_snapshot_with_text_problems_reads_and_shows_them()
    {
        var sample = Samples.ByType[typeof(DealCopy.Actors.Accounts.AccountState)];
        var json = DealCopySerializerTests.Json(sample);
        // what an older version wrote: the item's error and the step problem as text
        var legacy = Newtonsoft.Json.Linq.JObject.Parse(json);
        foreach (var job in legacy["Jobs"]!.Children<Newtonsoft.Json.Linq.JProperty>())
            foreach (var item in job.Value["Items"]!.Children<Newtonsoft.Json.Linq.JProperty>())
            {
                if (item.Value["Error"] is { Type: Newtonsoft.Json.Linq.JTokenType.Object }) item.Value["Error"] = "gone";
                foreach (var step in item.Value["Done"]!.Children<Newtonsoft.Json.Linq.JProperty>())
                    if (step.Value.Type == Newtonsoft.Json.Linq.JTokenType.Object) step.Value = "note refused";
            }
        var state = Assert.IsType<DealCopy.Actors.Accounts.AccountState>(Read(fixture.Serializer.Manifest(sample), legacy.ToString()));
        var problems = state.Jobs.Values.Single().ToView().Deals.SelectMany(d => d.Problems).ToList();
        Assert.Equal([((int?)1, Reason.LegacyCode, "gone"), (1, Reason.LegacyCode, "note refused")],
            problems.Select(p => (p.Copy, p.Code, p.Message)).OrderBy(p => p.Message, StringComparer.Ordinal).ToList());
    }
}
