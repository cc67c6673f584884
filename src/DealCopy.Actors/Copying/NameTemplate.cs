using System.Globalization;
using System.Text.RegularExpressions;
using DealCopy.AmoClient.Model;

namespace DealCopy.Actors.Copying;

/// <summary>Copy names from a template with <c>{name}</c>, <c>{id}</c>, <c>{date}</c> and <c>{n}</c>.</summary>
public static partial class NameTemplate
{
    public static readonly IReadOnlyList<string> Placeholders = ["name", "id", "date", "n"];
    public const int MaxLength = 255;

    [GeneratedRegex(@"\{([a-z_]*)\}")]
    private static partial Regex Placeholder();

    /// <summary>The problem with a template, or null when it is fine (checked before a job is accepted).</summary>
    public static string? Problem(string template)
    {
        if (string.IsNullOrWhiteSpace(template)) return "the name template is empty";
        if (template.Length > MaxLength) return $"the name template is longer than {MaxLength} characters";
        var unknown = Placeholder().Matches(template).Select(m => m.Groups[1].Value).Where(p => !Placeholders.Contains(p)).Distinct().ToList();
        return unknown.Count > 0 ? $"unknown placeholder(s): {string.Join(", ", unknown.Select(p => "{" + p + "}"))}; use {{name}}, {{id}}, {{date}}, {{n}}" : null;
    }

    public static string Render(string template, Lead source, CopyContext ctx)
    {
        var rendered = Placeholder().Replace(template, m => m.Groups[1].Value switch
        {
            "name" => source.Name ?? "",
            "id" => source.Id.ToString(CultureInfo.InvariantCulture),
            "date" => ctx.Now.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture),
            "n" => ctx.N.ToString(CultureInfo.InvariantCulture),
            _ => m.Value,
        }).Trim();
        if (rendered.Length == 0) rendered = string.IsNullOrWhiteSpace(source.Name) ? $"#{source.Id}" : source.Name.Trim();
        if (rendered.Length <= MaxLength) return rendered;
        // never cut an emoji (a surrogate pair) in half: a lone surrogate is not text amoCRM can store
        return rendered[..(char.IsHighSurrogate(rendered[MaxLength - 1]) ? MaxLength - 1 : MaxLength)];
    }
}
