using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DealCopy.AmoClient.Model;

/// <summary>Base of every DTO read from amoCRM: keeps fields this client does not know, so nothing is lost.</summary>
public abstract class AmoEntity
{
    /// <summary>Fields not mapped to a property (amoCRM adds fields over time; they must not break reading).</summary>
    [JsonExtensionData]
    public IDictionary<string, JToken>? Extra { get; set; }
}

/// <summary>A reference to another entity by id (HAL `_embedded` items such as companies or leads).</summary>
public sealed class EntityRef : AmoEntity
{
    public long Id { get; set; }
}

/// <summary>A tag as read: id, name, colour (meaningful for leads only).</summary>
public sealed class Tag : AmoEntity
{
    public long Id { get; set; }
    public string? Name { get; set; }
    public string? Color { get; set; }
}

/// <summary>A tag to attach or detach: by id or by name (unknown names are created by amoCRM).</summary>
public sealed class TagRef
{
    public long? Id { get; set; }
    public string? Name { get; set; }

    public static TagRef ById(long id) => new() { Id = id };
    public static TagRef ByName(string name) => new() { Name = name };
}

/// <summary>A tag to create in the tag dictionary.</summary>
public sealed class TagWrite
{
    public string Name { get; set; } = "";
    public string? Color { get; set; }
    public string? RequestId { get; set; }
}

/// <summary>One entity created or updated by a batch write, mapped back by <see cref="RequestId"/>.</summary>
public sealed class WrittenEntity : AmoEntity
{
    public long Id { get; set; }
    /// <summary>The request id the entity was sent with (amoCRM echoes it; default the index in the batch).</summary>
    public string? RequestId { get; set; }
    public long? UpdatedAt { get; set; }
    /// <summary>For notes: the entity the note belongs to.</summary>
    public long? EntityId { get; set; }
}
