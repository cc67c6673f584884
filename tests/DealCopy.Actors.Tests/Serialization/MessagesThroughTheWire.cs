using Akka.Actor;
using Akka.Configuration;

namespace DealCopy.Actors.Tests.Serialization;

/// <summary>With <c>serialize-messages = on</c> every local send goes through the serializer, as it would between nodes.</summary>
public sealed class MessagesThroughTheWire() : Akka.TestKit.Xunit2.TestKit(Config)
{
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor {
          serialize-messages = on
          serializers.dealcopy = "DealCopy.Actors.Serialization.DealCopySerializer, DealCopy.Actors"
          serialization-bindings {
            "DealCopy.Actors.Protocol.IDealCopyMessage, DealCopy.Actors" = dealcopy
          }
        }
        """);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public void Every_message_passes_an_actor_unchanged_when_serialized_on_the_way()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");

        foreach (var sample in Samples.ByType.Values)
        {
            echo.Tell(sample);
            var back = ExpectMsg<object>(TimeSpan.FromSeconds(3));

            Assert.IsType(sample.GetType(), back);
            Assert.NotSame(sample, back); // it really went through bytes
            Assert.Equal(DealCopySerializerTests.Json(sample), DealCopySerializerTests.Json(back));
        }
    }
}
