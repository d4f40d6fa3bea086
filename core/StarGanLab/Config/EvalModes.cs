namespace StarGanLab.Config;

/// <summary>The two official evaluation modes: styles from random latent codes through the mapping network, or
/// from reference images of the target domain through the style encoder.</summary>
public static class EvalModes
{
    public const string Latent = "latent";
    public const string Reference = "reference";

    /// <summary>Parses "latent", "reference" or a comma-separated list of both (order kept, duplicates dropped).</summary>
    public static bool TryParse(string text, out IReadOnlyList<string> modes)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        modes = parts;
        return parts.Count > 0 && parts.All(p => p is Latent or Reference);
    }

    public static IReadOnlyList<string> Parse(string text) => TryParse(text, out var modes) ? modes
        : throw new ArgumentException($"evaluation modes '{text}': expected latent, reference or latent,reference");
}
