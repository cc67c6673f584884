using DealCopy.Actors.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace DealCopy.Actors.Tests.Gateway;

public sealed class SlidingWindowLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10); // only ever reached when the test fails
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_request_over_the_limit_waits_until_the_window_moves()
    {
        var limiter = new SlidingWindowLimiter(3, Window, _time);

        var first = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(CancellationToken.None)).ToList();
        Assert.All(first, t => Assert.True(t.IsCompletedSuccessfully));
        foreach (var slot in first) (await slot).Dispose(); // answered at once

        var fourth = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(fourth.IsCompleted);

        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(fourth.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await fourth.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Waiting_requests_are_served_when_the_window_moves_and_no_more()
    {
        var limiter = new SlidingWindowLimiter(3, Window, _time);
        for (var i = 0; i < 3; i++) (await limiter.AcquireAsync(CancellationToken.None)).Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(400));

        var waiting = Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync(CancellationToken.None)).ToList();
        _time.Advance(TimeSpan.FromMilliseconds(599));
        Assert.All(waiting, t => Assert.False(t.IsCompleted));

        _time.Advance(TimeSpan.FromMilliseconds(1)); // t = 1 s: the first three leave the window
        foreach (var slot in await Task.WhenAll(waiting.Take(3)).WaitAsync(Deadline)) slot.Dispose();
        Assert.False(waiting[3].IsCompleted);

        _time.Advance(Window); // t = 2 s: the three granted at 1 s leave it
        await waiting[3].WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_up_its_turn()
    {
        var limiter = new SlidingWindowLimiter(1, Window, _time);
        (await limiter.AcquireAsync(CancellationToken.None)).Dispose();
        using var cts = new CancellationTokenSource();

        var cancelled = limiter.AcquireAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline));

        var next = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
        _time.Advance(Window);
        await next.WaitAsync(Deadline);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    public Task No_window_ever_holds_more_than_the_limit_and_no_request_waits_longer_than_needed(int seed, int limit) =>
        // off xunit's synchronization context, the limiter's timer continuations run inside Advance, so
        // "granted at" is exactly the fake time of the Advance that let the request through
        Task.Run(() => RandomSequence(seed, limit));

    private async Task RandomSequence(int seed, int limit)
    {
        var random = new Random(seed);
        var limiter = new SlidingWindowLimiter(limit, Window, _time);
        var start = _time.GetUtcNow();
        var grants = new List<long>(); // ms since start
        long Now() => (long)(_time.GetUtcNow() - start).TotalMilliseconds;

        for (var i = 0; i < 300; i++)
        {
            // bursts (no gap) and pauses of up to a window and a half
            _time.Advance(TimeSpan.FromMilliseconds(random.Next(4) == 0 ? random.Next(1500) : random.Next(3)));
            var requested = Now();
            var expected = grants.Count < limit ? requested : Math.Max(requested, grants[^limit] + (long)Window.TotalMilliseconds);

            var acquire = limiter.AcquireAsync(CancellationToken.None);
            while (!acquire.IsCompleted && Now() <= expected) _time.Advance(TimeSpan.FromMilliseconds(1));
            (await acquire.WaitAsync(Deadline)).Dispose(); // answered at once: the window counts from the grant

            Assert.True(Now() == expected, $"request {i} at {requested} ms was granted at {Now()} ms, expected {expected} ms");
            grants.Add(Now());
        }

        foreach (var g in grants)
            Assert.True(grants.Count(x => x > g - Window.TotalMilliseconds && x <= g) <= limit, $"more than {limit} grants in the window ending at {g} ms");
        Assert.True(grants.Count(x => grants.Count(y => y > x - Window.TotalMilliseconds && y <= x) == limit) > 0, "the sequence never filled a window");
    }

    [Fact]
    public async Task A_request_holds_its_slot_until_one_window_after_its_answer()
    {
        // amoCRM counts a request when it arrives, which we only know lies between sending and the answer
        var limiter = new SlidingWindowLimiter(1, Window, _time);
        var slow = await limiter.AcquireAsync(CancellationToken.None);
        var next = limiter.AcquireAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(3)); // the first answer takes 3 s: its slot stays taken
        Assert.False(next.IsCompleted);
        Assert.Equal((0, Window), limiter.Peek());

        slow.Dispose(); // answered now; amoCRM may have seen it a moment ago
        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted);
        Assert.Equal((0, TimeSpan.FromMilliseconds(1)), limiter.Peek());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        // the waiter re-arms its timer on the thread pool after the answer; if that lands after the advances above,
        // its timer is due a little later in fake time: move the clock on in small steps until it fires
        var deadline = DateTime.UtcNow + Deadline;
        while (!next.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
            if (!next.IsCompleted) _time.Advance(TimeSpan.FromMilliseconds(50));
        }
        (await next.WaitAsync(Deadline)).Dispose();
    }

    [Fact]
    public async Task A_request_that_ends_in_flight_order_frees_the_slot_of_the_one_that_ended_first()
    {
        var limiter = new SlidingWindowLimiter(2, Window, _time);
        var a = await limiter.AcquireAsync(CancellationToken.None);
        var b = await limiter.AcquireAsync(CancellationToken.None);
        var third = limiter.AcquireAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(200));
        b.Dispose(); // b answers first, a is still in flight
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await third.WaitAsync(Deadline)).Dispose();
        a.Dispose();
        a.Dispose(); // a second dispose changes nothing
        Assert.Equal(0, limiter.Peek().Free);
    }

    [Fact]
    public async Task An_account_that_just_arrived_waits_one_window_before_its_first_request()
    {
        // where it ran until now may have used the whole last second
        var limiter = new SlidingWindowLimiter(3, Window, _time);
        var inFlight = await limiter.AcquireAsync(CancellationToken.None);
        limiter.AssumeFull();
        Assert.Equal((0, Window), limiter.Peek());

        var first = limiter.AcquireAsync(CancellationToken.None);
        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(first.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await first.WaitAsync(Deadline)).Dispose();
        Assert.Equal(1, limiter.Peek().Free); // two slots left the window; the request still in flight holds its own
        inFlight.Dispose();
    }

    [Fact]
    public async Task Each_account_has_its_own_budget_with_the_safety_margin()
    {
        var gates = new AccountRequestGates(2, TimeSpan.FromMilliseconds(100), _time);
        Assert.Same(gates.For(1), gates.For(1));

        for (var i = 0; i < 2; i++) (await gates.AcquireAsync(1, CancellationToken.None)).Dispose();
        var third = gates.AcquireAsync(1, CancellationToken.None);
        var otherAccount = gates.AcquireAsync(2, CancellationToken.None);

        Assert.True(otherAccount.IsCompletedSuccessfully);
        _time.Advance(TimeSpan.FromMilliseconds(1099));
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await third.WaitAsync(Deadline)).Dispose();
    }
}
