using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace DealCopy.AmoClient.Json;

/// <summary>The one JSON setting for all amoCRM traffic: snake_case, unknown fields tolerated, nulls not sent.</summary>
public static class AmoJson
{
    /// <summary>Settings shared by every request and response body.</summary>
    public static JsonSerializerSettings Settings { get; } = new()
    {
        ContractResolver = new DefaultContractResolver
        {
            // dictionary keys (e.g. the ids in amoCRM's {"errors":{"<id>":"..."}}) stay as they are
            NamingStrategy = new SnakeCaseNamingStrategy { ProcessDictionaryKeys = false, OverrideSpecifiedNames = false },
        },
        MissingMemberHandling = MissingMemberHandling.Ignore,
        NullValueHandling = NullValueHandling.Ignore,
        DateParseHandling = DateParseHandling.None,
        FloatParseHandling = FloatParseHandling.Decimal,
        Formatting = Formatting.None,
        Converters = { new IntegralDecimalConverter() },
    };

    /// <summary>A serializer built from <see cref="Settings"/>.</summary>
    public static JsonSerializer Serializer { get; } = JsonSerializer.Create(Settings);

    /// <summary>Serializes a body for amoCRM.</summary>
    public static string Serialize(object value) => JsonConvert.SerializeObject(value, Settings);

    /// <summary>Reads a JSON text into <typeparamref name="T"/>.</summary>
    public static T Deserialize<T>(string json) =>
        JsonConvert.DeserializeObject<T>(json, Settings) ?? throw new JsonSerializationException($"JSON text did not contain a {typeof(T).Name}");

    /// <summary>Parses JSON text into a token with the same number and date handling as <see cref="Settings"/>.</summary>
    public static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Decimal,
        };
        var token = JToken.ReadFrom(reader);
        // trailing garbage (e.g. "{}<html>") is not JSON either
        if (reader.Read() && reader.TokenType != JsonToken.Comment)
        {
            throw new JsonReaderException("Additional text after the JSON value.");
        }
        return token;
    }

    /// <summary>Converts a token to <typeparamref name="T"/> with the amoCRM settings.</summary>
    public static T? ToObject<T>(JToken? token) => token is null || token.Type == JTokenType.Null ? default : token.ToObject<T>(Serializer);

    /// <summary>Converts a DTO to a token with the amoCRM settings.</summary>
    public static JToken ToToken(object value) => JToken.FromObject(value, Serializer);
}
