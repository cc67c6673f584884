namespace DealCopy.Actors.Gateway;

/// <summary>
/// How many entities one write of an account may carry, and how a write's outcome moves it: amoCRM takes up to 250
/// per write, recommends 50, and under load answers 504 to a write it could not finish in time — "reduce the batch
/// and retry" (API-NOTES §3). So writes start at the maximum; two writes of more than <see cref="Floor"/> entities in
/// a row that time out (504, or no answer in time) bring the size down to half of the last one (never below the
/// floor) — a single 504 is as often amoCRM's weather as a write too large for it, two in a row are not;
/// <see cref="GrowAfter"/> writes answered in a row at the current size double it again, up to <see cref="Max"/>.
/// Pure, so the table tests pin it.
/// </summary>
public sealed record WriteSizeState(int Current, int Streak, int Max, int Floor, int GrowAfter, bool Struck = false)
{
    public static WriteSizeState Start(int max, int floor, int growAfter = 8)
    {
        if (max < 1) throw new ArgumentOutOfRangeException(nameof(max), max, "a write carries at least one entity");
        return new(max, 0, max, Math.Clamp(floor, 1, max), Math.Max(1, growAfter));
    }

    /// <summary>amoCRM answered a write of <paramref name="sent"/> entities.</summary>
    public WriteSizeState Answered(int sent)
    {
        // a small write says nothing about whether the current size is too large
        if (sent * 2 <= Current) return this;
        if (Current >= Max) return this with { Struck = false };
        return Streak + 1 >= GrowAfter
            ? this with { Current = Math.Min(Max, Current * 2), Streak = 0, Struck = false }
            : this with { Streak = Streak + 1, Struck = false };
    }

    /// <summary>A write of <paramref name="sent"/> entities timed out (504, or no answer in time).</summary>
    public WriteSizeState TimedOut(int sent) =>
        sent <= Floor ? this with { Streak = 0 }
        : !Struck ? this with { Streak = 0, Struck = true }
        : this with { Current = Math.Max(Floor, Math.Min(Current, sent / 2)), Streak = 0, Struck = false };
}

/// <summary>
/// What one account's gateway learnt from amoCRM's answers, shared with the account's jobs (the gateway is the only
/// writer: it sees every answer): how large a write amoCRM copes with (<see cref="WriteSizeState"/>; jobs cut their
/// chunks to it, so a chunk's entities fit one write), and when amoCRM last answered a call at all (a job whose step
/// failed while amoCRM answers other calls is in amoCRM's everyday weather, not in an outage).
/// </summary>
public sealed class AmoWeather(int maxWrite, int minWrite)
{
    private WriteSizeState _writes = WriteSizeState.Start(maxWrite, minWrite);
    private long _lastAnswer = long.MinValue;

    /// <summary>Entities one write may carry now.</summary>
    public int WriteSize => Volatile.Read(ref _writes).Current;

    public WriteSizeState Writes => Volatile.Read(ref _writes);

    /// <summary>Whether amoCRM answered any call of the account after <paramref name="timestamp"/> (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public bool AnsweredSince(long timestamp) => Volatile.Read(ref _lastAnswer) > timestamp;

    internal void Answered() => Volatile.Write(ref _lastAnswer, System.Diagnostics.Stopwatch.GetTimestamp());

    internal void WriteAnswered(int sent) => Volatile.Write(ref _writes, _writes.Answered(sent));

    internal void WriteTimedOut(int sent) => Volatile.Write(ref _writes, _writes.TimedOut(sent));
}
