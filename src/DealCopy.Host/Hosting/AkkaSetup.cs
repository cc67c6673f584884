using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using DealCopy.Actors.Accounts;
using DealCopy.Actors.Copying;
using DealCopy.Actors.Gateway;
using DealCopy.Actors.Protocol;
using DealCopy.Actors.Serialization;
using DealCopy.Actors.Sharding;
using DealCopy.AmoClient;
using DealCopy.AmoClient.OAuth;
using DealCopy.Host.Configuration;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DealCopy.Host.Hosting;

/// <summary>Registry key of the <c>account</c> shard region.</summary>
public sealed class AccountRegion;

/// <summary>How long the gateway waits for an account entity.</summary>
public sealed record AkkaTimeouts(TimeSpan Ask);

/// <summary>Wires the actor system: cluster, SQL journal, the account shard region, the amoCRM client.</summary>
public static class AkkaSetup
{
    public static void AddDealCopyActors(this WebApplicationBuilder builder, string journalConnectionString, string journalProvider)
    {
        var config = builder.Configuration;
        var amo = config.GetSection(AmoOptions.Section).Get<AmoOptions>() ?? new AmoOptions();
        var akka = config.GetSection(AkkaOptions.Section).Get<AkkaOptions>() ?? new AkkaOptions();
        var security = config.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        var jobs = config.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var services = builder.Services;

        services.AddSingleton(new AkkaTimeouts(TimeSpan.FromSeconds(akka.AskTimeoutSeconds)));
        services.AddSingleton(TimeProvider.System);
        services.TryAddSingleton(new Hooks.JobClock(TimeProvider.System));
        services.AddSingleton<AccountTokenStore>();
        services.AddSingleton(sp => new AccountRequestGates(amo.RequestsPerSecond, TimeSpan.FromMilliseconds(amo.WindowMarginMs), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Actors.Telemetry.DealCopyMetrics>();
        services.AddTransient<Telemetry.AmoRequestMetricsHandler>();
        services.AddHttpClient("amocrm").AddHttpMessageHandler<Telemetry.AmoRequestMetricsHandler>();
        services.AddSingleton(sp =>
        {
            var options = new AmoClientOptions
            {
                ClientId = amo.ClientId,
                ClientSecret = amo.ClientSecret,
                RedirectUri = amo.RedirectUri,
                BaseUrl = string.IsNullOrEmpty(amo.BaseUrl) ? null : new Uri(amo.BaseUrl),
                MaxReadBatch = amo.MaxBatch,
                MaxWriteBatch = amo.MaxCreateBatch,
                RequestTimeout = TimeSpan.FromSeconds(amo.RequestTimeoutSeconds),
            };
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("amocrm");
            http.Timeout = Timeout.InfiniteTimeSpan; // the client's own per-request timeout applies
            var gate = new Telemetry.MeasuredRequestGate(sp.GetRequiredService<AccountRequestGates>(), sp.GetRequiredService<Actors.Telemetry.DealCopyMetrics>());
            return new AmoClient.AmoClient(http, options, sp.GetRequiredService<AccountTokenStore>(), gate, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new AccountServices(
            sp.GetRequiredService<AmoClient.AmoClient>(),
            sp.GetRequiredService<AccountTokenStore>(),
            new TokenVault(security.TokenEncryptionKey),
            ActorSettings.Default with
            {
                Gateway = ActorSettings.Default.Gateway with { MaxBatch = amo.MaxBatch, MaxCreateBatch = amo.MaxCreateBatch, MinCreateBatch = amo.MinCreateBatch },
                MetadataTtl = TimeSpan.FromSeconds(amo.MetadataTtlSeconds),
                IdlePassivation = TimeSpan.FromSeconds(akka.AccountIdleSeconds),
                RequestsPerSecond = amo.RequestsPerSecond,
                Retry = new RetrySettings(TimeSpan.FromSeconds(jobs.RetryBaseSeconds), TimeSpan.FromSeconds(Math.Max(jobs.RetryBaseSeconds, jobs.RetryMaxSeconds)), TimeSpan.FromSeconds(jobs.AccountProbeSeconds)),
            },
            sp.GetRequiredService<Hooks.JobClock>().Time,
            sp.GetRequiredService<AccountRequestGates>())
        {
            TokenTime = sp.GetRequiredService<TimeProvider>(),
            TokenSkew = TimeSpan.FromSeconds(security.TokenClockSkewSeconds),
            Metrics = sp.GetRequiredService<Actors.Telemetry.DealCopyMetrics>(),
        });

        services.AddAkka(akka.SystemName, (b, sp) =>
        {
            var seeds = akka.SeedNodes;
            b.ConfigureLoggers(l =>
                {
                    l.ClearLoggers();
                    l.AddLogger<SerilogLogger>();
                })
                .AddHocon("""
                    akka.cluster.distributed-data.durable.keys = []
                    akka.cluster.sharding.remember-entities = on
                    akka.cluster.run-coordinated-shutdown-when-down = on
                    akka.coordinated-shutdown.exit-clr = off
                    """, HoconAddMode.Prepend)
                // a crashed node is downed by the majority once the membership has been stable this long (docs/OPERATIONS.md)
                .AddHocon($"""
                    akka.cluster.split-brain-resolver.stable-after = {akka.DownUnreachableAfterSeconds}s
                    akka.cluster.failure-detector.acceptable-heartbeat-pause = {akka.HeartbeatPauseSeconds}s
                    """, HoconAddMode.Prepend)
                .WithCustomSerializer("dealcopy", [typeof(IDealCopyMessage)], system => new DealCopySerializer(system))
                .WithRemoting(akka.Hostname, akka.Port)
                .WithClustering(new ClusterOptions { Roles = akka.Roles, SeedNodes = seeds, SplitBrainResolver = new KeepMajorityOption() })
                .WithSqlPersistence(journalConnectionString, journalProvider, autoInitialize: true)
                .WithShardRegion<AccountRegion>("account",
                    (_, _) => entityId => AccountActor.Props(entityId, sp.GetRequiredService<AccountServices>()),
                    new AccountMessageExtractor(),
                    new ShardOptions
                    {
                        // accounts with running jobs come back by themselves after a restart; their state is in the journal
                        RememberEntities = true,
                        StateStoreMode = StateStoreMode.Persistence,
                        ShouldPassivateIdleEntities = false,
                    })
                .AddStartup((system, registry) =>
                {
                    var cluster = Cluster.Get(system);
                    if (seeds.Length == 0) cluster.Join(cluster.SelfAddress); // a single node seeds itself
                    system.ActorOf(QuarantineWatcher.Props(), "quarantine-watcher");
                    var region = registry.Get<AccountRegion>();
                    var timeout = TimeSpan.FromSeconds(akka.AskTimeoutSeconds);
                    sp.GetRequiredService<AccountTokenStore>().Journal = async (accountId, tokens, ct) =>
                        await region.Ask<TokensSaved>(new SaveTokens(accountId, tokens.AccessToken, tokens.RefreshToken, tokens.ExpiresAt?.ToUnixTimeSeconds()), timeout, ct);
                });
        });

        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<ClusterUpHealthCheck>("cluster", tags: ["ready"]);
    }

    /// <summary>The journal: SQLite file by default, PostgreSQL by connection string.</summary>
    public static (string ConnectionString, string Provider) Journal(IConfiguration config, string dataPath)
    {
        var journal = config.GetSection(JournalOptions.Section).Get<JournalOptions>() ?? new JournalOptions();
        if (string.Equals(journal.Provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(journal.ConnectionString))
                throw new InvalidOperationException("Journal:Provider is PostgreSQL but Journal:ConnectionString is empty");
            // the password may come apart from the connection string (a Docker secret: Journal__Password_FILE)
            var postgres = string.IsNullOrEmpty(journal.Password)
                ? journal.ConnectionString
                : new Npgsql.NpgsqlConnectionStringBuilder(journal.ConnectionString) { Password = journal.Password }.ConnectionString;
            return (postgres, ProviderName.PostgreSQL15);
        }
        if (!string.Equals(journal.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Journal:Provider must be Sqlite or PostgreSQL, not '{journal.Provider}'");
        var connection = journal.ConnectionString;
        if (string.IsNullOrWhiteSpace(connection))
        {
            Directory.CreateDirectory(dataPath);
            connection = $"Data Source={Path.Combine(dataPath, "journal.db")};Pooling=True;Default Timeout=30";
        }
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection(connection))
        {
            // WAL lets the journal, snapshots and shard stores write without locking each other out
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            cmd.ExecuteNonQuery();
        }
        return (connection, ProviderName.SQLiteMS);
    }
}

/// <summary>
/// Ready when this node is Up in the cluster (and can host account entities); a node that was downed or
/// left has stopped its cluster and is never ready again (Swarm replaces it on the failed health check).
/// </summary>
public sealed class ClusterUpHealthCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cluster = Cluster.Get(system);
        if (cluster.IsTerminated || system.WhenTerminated.IsCompleted)
            return Task.FromResult(HealthCheckResult.Unhealthy("this node left the cluster or was downed"));
        var status = cluster.SelfMember.Status;
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy("cluster member Up")
            : HealthCheckResult.Unhealthy($"cluster member {status}"));
    }
}
