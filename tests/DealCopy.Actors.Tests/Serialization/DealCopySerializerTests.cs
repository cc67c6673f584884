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
