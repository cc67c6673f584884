using DealCopy.Cli;

// dealcopy — the operator CLI: `dealcopy --help`, docs/OPERATIONS.md "Operator CLI".
return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
