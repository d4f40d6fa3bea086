using StarGanLab.Parity;
using Xunit;
using Xunit.Abstractions;

namespace StarGanLab.Tests.Parity;

public class ForwardParityTests(ITestOutputHelper output) : TorchTest
{
    [ParityFact("basic")]
    public void Every_network_reproduces_the_official_outputs()
    {
        var checks = ForwardParity.Run(new ParityFixture(Fixtures.Parity("basic")));
        foreach (var c in checks) output.WriteLine($"{c.Name}: max abs {c.MaxAbs:E2} {(c.Pass ? "PASS" : "FAIL")}");
        Assert.Equal(14, checks.Count);
        Assert.All(checks, c => Assert.True(c.Pass, $"{c.Name}: max abs {c.MaxAbs:E3}, {c.MaxRel:E3} of scale, above {c.Tolerance} {c.Note}"));
    }
}
