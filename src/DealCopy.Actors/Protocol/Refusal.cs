namespace DealCopy.Actors.Protocol;

/// <summary>
/// One reason a request was refused, in the form every DealCopy answer uses (docs/API.md "Codes"): a stable
/// dotted code (<c>rights.view_denied</c>), its parameters, the request field it is about (empty = the whole
/// request) and the English text for API readers. The widget words the code in ru and en.
/// </summary>
public sealed record Refusal(string Field, string Code, IReadOnlyDictionary<string, string> Params, string Message)
{
    /// <summary>A refusal with parameters given as pairs; values are written as invariant strings.</summary>
    public static Refusal Of(string field, string code, string message, params (string Name, object? Value)[] parameters) =>
        new(field, code, Parameters(parameters), message);

    public static IReadOnlyDictionary<string, string> Parameters(params (string Name, object? Value)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);

    /// <summary>Field problems that share one code (e.g. a body's shape errors), each naming its field in <c>params.field</c>.</summary>
    public static IReadOnlyList<Refusal> FromErrors(string code, IReadOnlyDictionary<string, string> errors) =>
        errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Of(e.Key, code, e.Value, ("field", e.Key))).ToList();

    /// <summary>The legacy <c>errors</c> map of a problem answer: field → English text (the first refusal of a field wins).</summary>
    public static IReadOnlyDictionary<string, string> ErrorsOf(IEnumerable<Refusal> refusals)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in refusals) errors.TryAdd(r.Field, r.Message);
        return errors;
    }
}

/// <summary>
/// Why something in a job report happened (a field not copied, a step that failed): a stable code from docs/API.md,
/// its parameters, and the English text for API readers. The widget words the code in ru and en.
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(ReasonJsonConverter))]
public sealed record Reason(string Code, IReadOnlyDictionary<string, string> Params, string Message)
{
    /// <summary>The code of a problem journaled as bare English text, before problems had codes.</summary>
    public const string LegacyCode = "job.problem";

    public static Reason Of(string code, string message, params (string Name, object? Value)[] parameters) =>
        new(code, Refusal.Parameters(parameters), message);

    /// <summary>A problem journaled before codes existed: its English text is all there is (<c>params.detail</c>).</summary>
    public static Reason Legacy(string text) => Of(LegacyCode, text, ("detail", text));
}

/// <summary>
/// Reads a <see cref="Reason"/> from the journal: an object, or a bare string written by versions before problems
/// had codes (events and snapshots of running and finished jobs stay readable after an upgrade).
/// </summary>
public sealed class ReasonJsonConverter : Newtonsoft.Json.JsonConverter<Reason>
{
    public override bool CanWrite => false;

    public override void WriteJson(Newtonsoft.Json.JsonWriter writer, Reason? value, Newtonsoft.Json.JsonSerializer serializer) =>
        throw new NotSupportedException("written by the default contract");

    public override Reason? ReadJson(Newtonsoft.Json.JsonReader reader, Type objectType, Reason? existingValue, bool hasExistingValue, Newtonsoft.Json.JsonSerializer serializer)
    {
        var token = Newtonsoft.Json.Linq.JToken.Load(reader);
        return token.Type switch
        {
            Newtonsoft.Json.Linq.JTokenType.Null => null,
            Newtonsoft.Json.Linq.JTokenType.String => Reason.Legacy((string)token!),
            Newtonsoft.Json.Linq.JTokenType.Object => new Reason(
                (string?)token["Code"] ?? Reason.LegacyCode,
                token["Params"]?.ToObject<Dictionary<string, string>>(serializer) ?? new Dictionary<string, string>(),
                (string?)token["Message"] ?? ""),
            _ => throw new Newtonsoft.Json.JsonSerializationException($"a reason must be an object or a string, not {token.Type}"),
        };
    }
}
