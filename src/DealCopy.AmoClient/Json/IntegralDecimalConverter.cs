using System.Globalization;
using Newtonsoft.Json;

namespace DealCopy.AmoClient.Json;

/// <summary>
/// Writes whole decimals as integers (<c>20000</c>, not Newtonsoft's <c>20000.0</c>): amoCRM documents price, quantity
/// and ids as integers and validates types.
/// </summary>
internal sealed class IntegralDecimalConverter : JsonConverter
{
    public override bool CanRead => false;

    public override bool CanConvert(Type objectType) => objectType == typeof(decimal) || objectType == typeof(decimal?);

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer) =>
        throw new NotSupportedException();

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        if (value is not decimal d)
        {
            writer.WriteNull();
            return;
        }
        if (d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            writer.WriteValue(decimal.ToInt64(d));
        }
        else
        {
            writer.WriteRawValue(d.ToString(CultureInfo.InvariantCulture));
        }
    }
}
