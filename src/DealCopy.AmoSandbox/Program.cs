using DealCopy.AmoSandbox;
using DealCopy.AmoSandbox.Seeding;

// The sandbox runnable: `dotnet run --project src/DealCopy.AmoSandbox [-- --urls http://127.0.0.1:PORT]`.
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://127.0.0.1:5180");
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = AmoSandboxServer.Build(builder);
await app.StartAsync();

var options = app.Services.GetRequiredService<SandboxOptions>();
var address = AmoSandboxServer.ListeningAddress(app);
Console.WriteLine($"""

    amoCRM sandbox is running at {address}
      demo account  : {DemoAccount.Id} ({DemoAccount.Subdomain}.amocrm.ru), {options.DemoLeadCount} deals
      demo token    : {options.DemoToken}   (long-lived, admin user {DemoAccount.AdminId})
      try           : curl -s -H "Authorization: Bearer {options.DemoToken}" {address}api/v4/leads/pipelines
      control API   : {address}_sandbox/...   (see docs/SANDBOX.md)
    Press Ctrl+C to stop.
    """);
await app.WaitForShutdownAsync();
