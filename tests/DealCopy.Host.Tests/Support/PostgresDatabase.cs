using Npgsql;

namespace DealCopy.Host.Tests.Support;

/// <summary>
/// A fresh database on the PostgreSQL server that ./test.sh starts (Debian package, loopback), named by
/// DEALCOPY_TEST_POSTGRES. Without that server these tests fail rather than pretend: run ./test.sh.
/// </summary>
public static class PostgresDatabase
{
    public const string Variable = "DEALCOPY_TEST_POSTGRES";

    public static string Create()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException($"{Variable} is not set: the PostgreSQL journal tests need the server that ./test.sh installs and starts.");
        var name = "dealcopy_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
