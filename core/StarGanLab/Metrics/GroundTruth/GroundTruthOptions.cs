using StarGanLab.Data;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>How many translations the ground-truth metrics look at, and the oracle that reads them.</summary>
/// <param name="SourcesPerDomain">Validation images of each source domain translated into each other domain (the
/// official evaluation uses all of them: set it to the set's ValPerDomain, 200 by default). Also how many
/// target-domain validation images serve as references.</param>
/// <param name="OutsPerInput">Outputs per source image and task (official num_outs_per_domain 10); at least 2, since
/// diversity compares them.</param>
/// <param name="BatchSize">Sources translated at once (official val_batch_size 32).</param>
/// <param name="Oracle">The oracle's training budget (cached, so it is paid once per data set).</param>
public sealed record GroundTruthOptions(int SourcesPerDomain = 50, int OutsPerInput = 10, int BatchSize = 32, OracleOptions? Oracle = null)
{
    public OracleOptions Oracle { get; init; } = Oracle ?? new();

    public void Validate(SyntheticDomains set)
    {
        var errors = new List<string>();
        int val = set.Count(Split.Val);
        if (SourcesPerDomain < 1 || SourcesPerDomain > val)
            errors.Add($"SourcesPerDomain={SourcesPerDomain} must be in 1..{val} (the synthetic set's validation images per domain)");
        if (OutsPerInput < 2) errors.Add($"OutsPerInput={OutsPerInput} must be at least 2 (diversity compares a source's outputs)");
        if (BatchSize < 1) errors.Add($"BatchSize={BatchSize} must be at least 1");
        if (set.DomainNames.Count < 2) errors.Add($"the synthetic set has {set.DomainNames.Count} domain; translations need at least 2");
        if (errors.Count > 0) throw new ArgumentException("invalid GroundTruthOptions: " + string.Join("; ", errors));
        Oracle.Validate();
    }
}
