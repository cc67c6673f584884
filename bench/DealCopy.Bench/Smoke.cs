namespace DealCopy.Bench;

/// <summary>What the smoke run saw: each figure's requests as amoCRM counted them, and the calls of each single copy.</summary>
public sealed record SmokeResult(IReadOnlyList<CallStats> P1, IReadOnlyList<CallStats> P1Base, IReadOnlyList<int> P2Calls, int P3Lost);

/// <summary>Every figure at tiny sizes (under a minute), so that ./test.sh notices when the bench stops working.</summary>
public static class Smoke
{
    public static async Task<SmokeResult> Run(BenchOptions o)
    {
        var tiny = o with { Runs = 1 };
        var p1 = await Copying.P1(With(tiny, ("deals", "20"), ("create-batch", "250")));
        var p1Base = await Copying.P1Base(With(tiny, ("deals", "2,4")));
        var p2 = await SingleCopy.P2(With(tiny, ("clicks", "4"), ("accounts", "2")));
        var p3 = await HookIntake.P3(With(tiny, ("accounts", "20"), ("hooks", "2"), ("connections", "8")));
        return new SmokeResult(p1, p1Base, p2, p3);
    }

    private static BenchOptions With(BenchOptions o, params (string Key, string Value)[] values)
    {
        var raw = new Dictionary<string, string>(o.Raw);
        foreach (var (k, v) in values) raw[k] = v;
        return o with { Raw = raw };
    }
}
