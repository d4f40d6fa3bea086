namespace StarGanLab.Metrics.GroundTruth;

/// <summary>How the oracle is trained and checked. Every field is part of the cache key.</summary>
/// <param name="Steps">Adam steps, each on <paramref name="BatchSize"/> freshly rendered images (never repeated).</param>
/// <param name="Width">Channels of the first conv stage (doubled twice); the hidden layer has 8x this.</param>
/// <param name="LearningRate">Adam's, decayed to zero on a cosine over the steps.</param>
/// <param name="NoiseStd">Each training image gets Gaussian pixel noise of a std drawn uniformly from [0, NoiseStd]
/// (in [-1, 1] units): translations are never pixel-exact renders, and the oracle should not need them to be.</param>
/// <param name="Seed">Initial weights, noise and which domains are drawn.</param>
/// <param name="HeldOutPerDomain">Validation-split renders per domain on which the oracle's own errors are measured.</param>
public sealed record OracleOptions(
    int Steps = 1500,
    int BatchSize = 64,
    int Width = 16,
    double LearningRate = 2e-3,
    double NoiseStd = 0.1,
    int Seed = 1,
    int HeldOutPerDomain = 200)
{
    /// <summary>Bumped whenever the oracle's architecture, targets or training change, so older cached files are not reused.</summary>
    public const int Version = 1;

    public void Validate()
    {
        var errors = new List<string>();
        if (Steps < 1) errors.Add($"Steps={Steps} must be at least 1");
        if (BatchSize < 2) errors.Add($"BatchSize={BatchSize} must be at least 2");
        if (Width < 1) errors.Add($"Width={Width} must be at least 1");
        if (!(LearningRate > 0)) errors.Add($"LearningRate={LearningRate} must be positive");
        if (!(NoiseStd >= 0)) errors.Add($"NoiseStd={NoiseStd} must not be negative");
        if (HeldOutPerDomain < 1) errors.Add($"HeldOutPerDomain={HeldOutPerDomain} must be at least 1");
        if (errors.Count > 0) throw new ArgumentException("invalid OracleOptions: " + string.Join("; ", errors));
    }
}
