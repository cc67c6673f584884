using DealCopy.AmoSandbox.Platform;

namespace DealCopy.AmoSandbox.Api;

/// <summary>amoCRM's page/limit query: limit defaults to 50 and may not exceed the maximum (API-NOTES §2, §4.1).</summary>
public readonly record struct Paging(int Page, int Limit)
{
    public static Paging From(HttpContext ctx, int max, int defaultLimit = 50)
    {
        var page = ctx.QueryLong("page") ?? 1;
        var limit = ctx.QueryLong("limit") ?? defaultLimit;
        if (page < 1) throw Problems.Validation("0", new FieldError("GreaterThanOrEqual", "page", "This value should be greater than or equal to 1."));
        if (limit < 1) throw Problems.Validation("0", new FieldError("GreaterThanOrEqual", "limit", "This value should be greater than or equal to 1."));
        if (limit > max) throw Problems.Error(422, $"Limit {max} per page");
        return new Paging((int)page, (int)limit);
    }

    /// <summary>The items of this page and whether another page follows.</summary>
    public (List<T> Items, bool HasNext) Slice<T>(IEnumerable<T> all)
    {
        var window = all.Skip((Page - 1) * Limit).Take(Limit + 1).ToList();
        var hasNext = window.Count > Limit;
        if (hasNext) window.RemoveAt(window.Count - 1);
        return (window, hasNext);
    }
}
