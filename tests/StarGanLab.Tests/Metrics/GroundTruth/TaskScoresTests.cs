using StarGanLab.Metrics.GroundTruth;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Metrics.GroundTruth;

public class TaskScoresTests : TorchTest
{
    static KnownFactors Known(long[] texture, float content = 0.5f, float style = 0.5f) =>
        new(full(texture.Length, 4, content), full(texture.Length, 6, style), tensor(texture));

    static OraclePrediction Read(long[] domain, long[] texture, float content = 0.5f, float style = 0.5f) =>
        new(tensor(domain), full(texture.Length, 4, content), full(texture.Length, 6, style), tensor(texture));

    [Fact]
    public void Texture_is_scored_against_the_reference_the_source_and_as_drawn_at_all()
    {
        var scores = new TaskScores();
        // Outputs read as plain, stripes, spots, stripes; the sources had stripes, stripes, plain, spots and the
        // references plain, spots, spots, spots.
        using var p = Read([1, 1, 1, 0], [0, 1, 2, 1], content: 0.6f, style: 0.3f);
        scores.AddOutputs(p, targetDomain: 1, Known([1, 1, 0, 2]), Known([0, 2, 2, 2], content: 0.2f, style: 0.5f));

        Assert.Equal(0.75, scores.DomainAcc, 12);
        Assert.Equal(0.1, scores.ContentErr, 6);
        Assert.Equal(0.4, scores.ContentErrVsRef, 6);
        Assert.Equal(0.2, scores.StyleErr, 6);
        Assert.Equal(0.5, scores.TextureAcc, 12);           // outputs 0 and 2 match their references
        Assert.Equal(0.25, scores.TextureAccVsSource, 12);  // only output 1 keeps its source's stripes
        Assert.Equal(0.75, scores.Textured, 12);
    }

    [Fact]
    public void Latent_outputs_have_no_reference_but_still_count_how_many_are_textured()
    {
        var scores = new TaskScores();
        using (var a = Read([2, 2], [0, 0])) scores.AddOutputs(a, 2, Known([1, 2]), reference: null);
        using (var b = Read([2, 0], [2, 0])) scores.AddOutputs(b, 2, Known([2, 2]), reference: null);

        Assert.Equal(0.75, scores.DomainAcc, 12);
        Assert.Equal(0.25, scores.Textured, 12);
        Assert.Equal(0, scores.TextureAcc);
        Assert.Equal(0, scores.TextureAccVsSource);
    }
}
