namespace DealCopy.Host.Configuration;

/// <summary>
/// Docker secrets: any setting the Host reads (<see cref="HostSettings"/>) may come from a file named by the same key with <c>_FILE</c> appended
/// (<c>Amo__ClientSecret_FILE=/run/secrets/amo_client_secret</c>), so secrets never sit in the image or
/// in the stack's environment. The file's content (without a trailing line break) is the value.
/// </summary>
public static class SecretFiles
{
    public const string Suffix = "_FILE";

    public static void Apply(ConfigurationManager config)
    {
        var files = config.AsEnumerable()
            .Where(kv => kv.Key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(kv.Value))
            .Where(kv => HostSettings.Reads(kv.Key)) // other programs' *_FILE variables are theirs
            .ToList();
        foreach (var (key, path) in files)
        {
            var target = key[..^Suffix.Length];
            if (!File.Exists(path))
                throw new InvalidOperationException($"DealCopy.Host cannot start: {target} should come from {path} ({key}), and that file does not exist.");
            config[target] = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
    }
}
