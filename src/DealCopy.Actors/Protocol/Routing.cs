namespace DealCopy.Actors.Protocol;

/// <summary>Every message that crosses the wire or the journal; bound to <see cref="Serialization.DealCopySerializer"/>.</summary>
public interface IDealCopyMessage;

/// <summary>Routes a message to its account's shard entity.</summary>
public interface IWithAccountId : IDealCopyMessage
{
    long AccountId { get; }
}
