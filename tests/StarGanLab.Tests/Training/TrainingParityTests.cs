using StarGanLab.Parity;
using Xunit;
using Xunit.Abstractions;

namespace StarGanLab.Tests.Training;

public class TrainingParityTests(ITestOutputHelper output) : TorchTest
{
    [ParityFact("basic")]
    public void One_iteration_reproduces_the_official_losses_gradients_and_weights()
    {
        var checks = TrainingParity.Run(new ParityFixture(Fixtures.Parity("basic")));
        foreach (var c in checks) output.WriteLine($"{c.Group} {c.Name}: {c.MaxRel:E2} {(c.Pass ? "PASS" : "FAIL")} {c.Note}");
        Assert.Equal(15 + 5 + 4 + 3, checks.Count);   // log values, gradient files, nets, EMA nets
        Assert.All(checks, c => Assert.True(c.Pass, $"{c.Group} {c.Name}: {c.MaxRel:E3} > {c.Tolerance} {c.Note}"));
    }
}
