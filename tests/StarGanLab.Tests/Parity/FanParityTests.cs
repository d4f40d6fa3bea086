using StarGanLab.Parity;
using Xunit;
using Xunit.Abstractions;

namespace StarGanLab.Tests.Parity;

public class FanParityTests(ITestOutputHelper output) : TorchTest
{
    [ParityFact("hpf")]
    public void Fan_heatmaps_masks_and_the_masked_generator_reproduce_the_official_outputs()
    {
        var fx = new ParityFixture(Fixtures.Parity("hpf"));
        Assert.True(FanParity.Applies(fx));
        var checks = FanParity.Run(fx, output.WriteLine);
        foreach (var c in checks)
            output.WriteLine($"{c.Group}/{c.Name}: max abs {c.MaxAbs:E2}, err {c.MaxRel:E2} (tol {c.Tolerance:E1}) {(c.Pass ? "PASS" : "FAIL")} {c.Note}");
        Assert.Equal(4, checks.Count);
        Assert.All(checks, c => Assert.True(c.Pass, $"{c.Group}/{c.Name}: max abs {c.MaxAbs:E3}, err {c.MaxRel:E3} above {c.Tolerance} {c.Note}"));
    }
}
