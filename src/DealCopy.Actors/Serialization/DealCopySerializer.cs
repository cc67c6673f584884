using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using DealCopy.Actors.Protocol;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace DealCopy.Actors.Serialization;

/// <summary>
/// The one serializer of DealCopy messages, events and snapshots: Newtonsoft JSON with the type's
/// short name as a stable manifest (renaming a journaled type is a breaking change).
/// </summary>
public sealed class DealCopySerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7101;

    internal static readonly JsonSerializerSettings Settings = new()
    {
        TypeNameHandling = TypeNameHandling.None,
        NullValueHandling = NullValueHandling.Include,
        Converters = { new StringEnumConverter() },
        ObjectCreationHandling = ObjectCreationHandling.Replace,
    };

    internal static readonly FrozenDictionary<string, Type> Types = typeof(IDealCopyMessage).Assembly.GetTypes()
        .Where(t => typeof(IDealCopyMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .ToFrozenDictionary(t => t.Name);

    public override int Identifier => Id;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(obj, Settings));

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"DealCopySerializer: unknown manifest '{manifest}'");
        return JsonConvert.DeserializeObject(Encoding.UTF8.GetString(bytes), type, Settings)
               ?? throw new SerializationException($"DealCopySerializer: '{manifest}' deserialized to null");
    }
}
