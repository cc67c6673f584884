using DealCopy.Bench;

// The buyer's questions, answered against the Host over real HTTP with the amoCRM sandbox enforcing 7 requests
// per second and 250 per batch at amoCRM's latency (docs/PERFORMANCE.md; bench/run.sh wraps this).
// Usage: dotnet run --project bench/DealCopy.Bench -c Release -- <p1|p1-base|p1-faults|p2|p3|p4|p5|smoke> [--name value ...]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: DealCopy.Bench <p1|p1-base|p1-faults|p2|p3|p4|p5|smoke> [--deals N] [--runs N] [--latency MS] [--jitter MS] ...");
    return 2;
}
var options = BenchOptions.Parse(args.Skip(1));
switch (args[0])
{
    case "p1": await Copying.P1(options); break;
    case "p1-base": await Copying.P1Base(options); break;
    case "p1-faults": return await Faults.P1Faults(options);
    case "p2": await SingleCopy.P2(options); break;
    case "p3": return await HookIntake.P3(options) == 0 ? 0 : 1;
    case "p4": await Memory.P4(options); break;
    case "p5": await ScaleOut.P5(options); break;
    case "smoke": await Smoke.Run(options); break;
    default:
        Console.Error.WriteLine($"unknown figure '{args[0]}'");
        return 2;
}
return 0;
