using DealCopy.Actors.Gateway;

namespace DealCopy.Actors.Tests.Gateway;

/// <summary>The write size amoCRM's answers move (<see cref="WriteSizeState"/>): down with two 504s in a row, up after writes that fit.</summary>
public sealed class WriteSizeStateTests
{
    private static readonly WriteSizeState Fresh = WriteSizeState.Start(max: 250, floor: 50, growAfter: 8);

    [Theory]
    // current, a write of `sent` timed out for the second time in a row → the new size
    [InlineData(250, 250, 125)]
    [InlineData(125, 125, 62)]
    [InlineData(62, 62, 50)] // never below the floor
    [InlineData(50, 50, 50)] // at the floor: stays (amoCRM's recommended size)
    [InlineData(250, 40, 250)] // a small write timing out says nothing about the size
    [InlineData(125, 250, 125)] // a write sent before the size came down does not bring it lower than half of itself
    [InlineData(250, 120, 60)]
    public void A_second_write_in_a_row_that_times_out_halves_the_size_down_to_the_floor(int current, int sent, int expected)
    {
        var state = Fresh with { Current = current, Streak = 5 };
        var once = state.TimedOut(sent);
        Assert.Equal(current, once.Current); // one 504 may be amoCRM's weather
        Assert.Equal(0, once.Streak);
        var twice = once.TimedOut(sent);
        Assert.Equal(expected, twice.Current);
        Assert.Equal(0, twice.Streak);
    }

    [Fact]
    public void A_write_answered_between_two_timeouts_means_the_size_was_not_too_large()
    {
        var state = Fresh.TimedOut(250).Answered(250).TimedOut(250);
        Assert.Equal(250, state.Current);
        Assert.Equal(125, state.TimedOut(250).Current); // two in a row now
        Assert.Equal(125, Fresh.TimedOut(250).Answered(40).TimedOut(250).Current); // a small write in between says nothing
    }

    [Fact]
    public void Eight_writes_answered_in_a_row_double_the_size_up_to_the_maximum()
    {
        var state = Fresh.TimedOut(250).TimedOut(250).TimedOut(125).TimedOut(125); // 125, then 62
        Assert.Equal(62, state.Current);
        for (var i = 0; i < 7; i++) state = state.Answered(62);
        Assert.Equal(62, state.Current);
        state = state.Answered(62);
        Assert.Equal(124, state.Current);
        for (var i = 0; i < 8; i++) state = state.Answered(124);
        Assert.Equal(248, state.Current);
        for (var i = 0; i < 8; i++) state = state.Answered(248);
        Assert.Equal(250, state.Current);
        Assert.Equal(250, state.Answered(250).Current);
    }

    [Fact]
    public void Small_writes_do_not_count_towards_growing_and_a_timeout_starts_the_count_again()
    {
        var state = Fresh.TimedOut(250).TimedOut(250); // 125
        Assert.Equal(125, state.Current);
        for (var i = 0; i < 20; i++) state = state.Answered(30); // 30 of 125: says nothing about 125
        Assert.Equal(125, state.Current);
        for (var i = 0; i < 7; i++) state = state.Answered(125);
        state = state.TimedOut(40).Answered(125); // a timeout (even of a small write) breaks the streak
        Assert.Equal(125, state.Current);
    }

    [Theory]
    [InlineData(250, 50, 250, 50)]
    [InlineData(4, 50, 4, 4)] // a maximum below the floor: the floor follows it
    [InlineData(250, 0, 250, 1)]
    public void The_size_starts_at_the_maximum(int max, int floor, int current, int expectedFloor)
    {
        var state = WriteSizeState.Start(max, floor);
        Assert.Equal(current, state.Current);
        Assert.Equal(expectedFloor, state.Floor);
    }
}
