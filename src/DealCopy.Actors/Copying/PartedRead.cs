namespace DealCopy.Actors.Copying;

/// <summary>
/// A read of many sources in parts of about one request's worth of ids (<see cref="PartSize"/>), each part kept once it
/// has been read. Under amoCRM's weather a read of 1,000 sources' notes is some 16 requests, and one of them failing
/// used to throw the others away with it: the retry read everything again, and at a few percent of failures per
/// request a large read rarely came through whole. Now a retry reads only the parts that failed.
/// </summary>
internal sealed class PartedRead<T>
{
    /// <summary>Ids per part: as many as one amoCRM request's filter holds (the client cuts id filters at ~6,000 characters).</summary>
    public const int PartSize = 200;

    private readonly IReadOnlyList<long>[] _ids;
    private readonly Task<List<T>>?[] _parts;
    private readonly Func<IReadOnlyList<long>, Task<List<T>>> _read;

    public PartedRead(IReadOnlyList<long> ids, Func<IReadOnlyList<long>, Task<List<T>>> read)
    {
        _ids = ids.Chunk(PartSize).Select(IReadOnlyList<long> (c) => c).ToArray();
        _parts = new Task<List<T>>?[_ids.Length];
        _read = read;
    }

    /// <summary>What was read already (by a preview moments ago): nothing left to read.</summary>
    public static PartedRead<T> Of(IEnumerable<T> read)
    {
        var done = new PartedRead<T>([0], _ => throw new InvalidOperationException("read already"));
        done._parts[0] = Task.FromResult(read.ToList());
        return done;
    }

    /// <summary>Starts every part not read yet (or whose read failed), all at once; the whole when every part is read.</summary>
    public async Task<List<T>> All()
    {
        for (var i = 0; i < _parts.Length; i++)
        {
            if (_parts[i] is { IsFaulted: false, IsCanceled: false }) continue;
            var part = _read(_ids[i]);
            // a part that fails while another is awaited is the read's failure, not an unobserved one
            _ = part.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _parts[i] = part;
        }
        var parts = await Task.WhenAll(_parts!);
        return parts.SelectMany(p => p).ToList();
    }
}
