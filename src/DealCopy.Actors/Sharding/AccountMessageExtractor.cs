using System.Globalization;
using Akka.Cluster.Sharding;
using DealCopy.Actors.Protocol;

namespace DealCopy.Actors.Sharding;

/// <summary>Routes <see cref="IWithAccountId"/> messages to the account's entity; a fixed number of shards.</summary>
public sealed class AccountMessageExtractor(int shards = AccountMessageExtractor.DefaultShards) : HashCodeMessageExtractor(shards)
{
    public const int DefaultShards = 50;

    public override string? EntityId(object message) => message switch
    {
        IWithAccountId m => m.AccountId.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
