using StarGanLab.Parity;
using StarGanLab.Tests.Config;
using Xunit;

namespace StarGanLab.Tests.Parity;

/// <summary>How the parity tool reads a fixture's checkpoints and judges gradients against float64, without a fixture.</summary>
public class ParityJudgementTests
{
    static PhaseGradientParity.Result R(string key, double oursVsOfficial32, double officialVsF64, double oursVsF64, double? math, double spread = 0) =>
        new(key, oursVsOfficial32, officialVsF64, oursVsF64, math, RoundingSpread: spread);

    [Fact]
    public void With_official_float64_our_float32_may_be_twice_as_far_from_it_as_the_official_float32_and_our_float64_must_equal_it()
    {
        // The quickstart-shaped case: the official float32 is 2.2e-3 off float64, ours 1.3e-6; f32 vs f32 says 2.2e-3.
        Assert.True(PhaseGradientParity.Judge(R("grad_g_latent_generator", 2.2e-3, 2.2e-3, 1.3e-6, 1e-15)).Pass);
        // Ours worse than twice the official's distance (and beyond the float32 tolerance): fails.
        Assert.False(PhaseGradientParity.Judge(R("grad_g_latent_generator", 7e-3, 2.6e-6, 7.4e-3, 1e-15)).Pass);
        // Within the float32 tolerance: passes whatever the official's distance.
        Assert.True(PhaseGradientParity.Judge(R("grad_d_latent_discriminator", 1e-6, 1e-7, 9e-5, 1e-15)).Pass);
        // Our float64 differs from the official float64: the math is wrong, however close float32 looks.
        Assert.False(PhaseGradientParity.Judge(R("grad_g_latent_generator", 1e-6, 1e-6, 1e-6, 1e-6)).Pass);
        // Phases at rebuilt weights allow the one-ulp Adam rounding (1e-7), the others do not.
        Assert.True(PhaseGradientParity.Judge(R("grad_g_ref_generator", 1e-6, 1e-6, 1e-6, 2e-9)).Pass);
        Assert.False(PhaseGradientParity.Judge(R("grad_g_latent_generator", 1e-6, 1e-6, 1e-6, 2e-9)).Pass);
    }

    [Fact]
    public void Where_one_ulp_input_nudges_move_our_float32_gradient_as_far_it_is_conditioning_up_to_a_cap()
    {
        // s64-d2-b4's d_ref: the official float32 happens to land near float64, ours 1.7e-4 away, and nudging the inputs
        // by one ulp moves ours by as much: float32's own scatter, not a worse path.
        Assert.True(PhaseGradientParity.Judge(R("grad_d_ref_discriminator", 1.7e-4, 1.9e-6, 1.66e-4, 4e-9, spread: 1.66e-4)).Pass);
        Assert.False(PhaseGradientParity.Judge(R("grad_d_ref_discriminator", 1.7e-4, 1.9e-6, 1.66e-4, 4e-9, spread: 1e-6)).Pass);
        // A wrong kernel is noisy too (the oneDNN fault changes from run to run), but 1e-1 is far beyond the 1e-3 cap.
        Assert.False(PhaseGradientParity.Judge(R("grad_d_ref_discriminator", 0.3, 1.9e-6, 0.3, 4e-9, spread: 0.3)).Pass);
    }

    [Fact]
    public void A_loss_passes_within_tolerance_or_as_close_to_float64_as_float32_allows()
    {
        Assert.True(PhaseGradientParity.JudgeLoss(new("G/ref_adv", 0.693150, 0.693150, 0.693149, 0.693151)).Pass);
        Assert.True(PhaseGradientParity.JudgeLoss(new("G/ref_adv", 0.69320, 0.69310, 0.693160, 0.69315)).Pass);    // nudges move it 1e-4
        Assert.False(PhaseGradientParity.JudgeLoss(new("G/ref_adv", 0.69400, 0.69400, 0.693149, 0.693151)).Pass);   // 1e-3 off, steady
    }

    [Fact]
    public void Without_official_float64_ours_is_the_arbiter_and_the_official_must_be_close_to_it()
    {
        Assert.True(PhaseGradientParity.Judge(R("grad_g_ref_generator", 4.5e-4, 4.5e-4, 7.4e-5, null)).Pass);
        Assert.False(PhaseGradientParity.Judge(R("grad_g_ref_generator", 4.5e-3, 4.5e-3, 7.4e-5, null)).Pass);   // official too far: cannot judge
        Assert.False(PhaseGradientParity.Judge(R("grad_g_ref_generator", 5e-4, 1e-4, 5e-4, null)).Pass);          // ours farther than the official's
        Assert.True(PhaseGradientParity.Judge(R("grad_d_ref_discriminator", 8e-5, 9e-3, 9e-3, null)).Pass);       // within tolerance of the official
    }

    [Fact]
    public void A_fixture_checkpoint_is_found_in_the_zip_or_the_legacy_name_zip_first()
    {
        using var dir = new TempDir();
        dir.Write("config.json", """{"img_size": 32, "num_domains": 2, "latent_dim": 16, "style_dim": 64}""");
        var fx = new ParityFixture(dir.Path);
        Assert.Null(fx.Checkpoint("000000_nets"));
        dir.Write("000000_nets.legacy.ckpt", "");
        Assert.Equal("000000_nets.legacy.ckpt", fx.Checkpoint("000000_nets"));
        dir.Write("000000_nets.ckpt", "");
        Assert.Equal("000000_nets.ckpt", fx.Checkpoint("000000_nets"));
    }
}
