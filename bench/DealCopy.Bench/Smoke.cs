namespace DealCopy.Bench;

/// <summary>Every figure at tiny sizes, so that ./test.sh notices when the bench stops working.</summary>
public static class Smoke
{
    public static async Task Run(BenchOptions o)
    {
        var tiny = o with { Runs = 1 };
        await Copying.P1(With(tiny, ("deals", "20")));
        await Copying.P1Base(With(tiny, ("deals", "3,6")));
        await SingleCopy.P2(With(tiny, ("clicks", "5")));
    }

    private static BenchOptions With(BenchOptions o, params (string Key, string Value)[] values)
    {
        var raw = new Dictionary<string, string>(o.Raw);
        foreach (var (k, v) in values) raw[k] = v;
        return o with { Raw = raw };
    }
}
