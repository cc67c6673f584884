using DealCopy.Host.Hosting;

// `dotnet run --project src/DealCopy.Host -- --sandbox` runs everything on embedded defaults (docs/OPERATIONS in README).
return await DealCopyApp.RunAsync(args);
