using StarGanLab.Checkpoints;
using StarGanLab.Native;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>StateDicts.Of order and LoadStrict's all-in-one error.</summary>
public class StateDictsTests
{
    sealed class Tiny : nn.Module<Tensor, Tensor>
    {
        readonly Linear fc = nn.Linear(3, 2);
        readonly BatchNorm1d bn = nn.BatchNorm1d(2);
        readonly Sequential head = nn.Sequential(nn.Linear(2, 2), nn.ReLU());

        public Tiny() : base(nameof(Tiny)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.forward(bn.forward(fc.forward(x)));
    }

    static Tiny NewTiny()
    {
        TorchRuntime.EnsureLoaded();
        return new Tiny();
    }

    [Fact]
    public void Of_lists_parameters_and_buffers_in_pytorch_order()
    {
        using var m = NewTiny();
        Assert.Equal(
            ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "head.0.weight", "head.0.bias"],
            StateDicts.Of(m).Keys);
        Assert.Equal(ScalarType.Int64, StateDicts.Of(m)["bn.num_batches_tracked"].dtype);
    }

    [Fact]
    public void LoadStrict_copies_parameters_and_buffers()
    {
        using var src = NewTiny();
        using var dst = NewTiny();
        var sd = StateDicts.Of(src).ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        sd["bn.running_mean"] = torch.tensor(new[] { 1.5f, -2f });
        sd["bn.num_batches_tracked"] = torch.tensor(42L);
        sd["fc.bias"] = torch.tensor(new[] { 0.25, 0.5 }, dtype: ScalarType.Float16);   // widened losslessly
        StateDicts.LoadStrict(dst, sd, "test[tiny]");
        var now = StateDicts.Of(dst);
        Assert.Equal(42L, now["bn.num_batches_tracked"].item<long>());
        Assert.Equal([1.5f, -2f], now["bn.running_mean"].data<float>().ToArray());
        Assert.Equal([0.25f, 0.5f], now["fc.bias"].data<float>().ToArray());
        Assert.Equal(ScalarType.Float32, now["fc.bias"].dtype);
        Assert.True(now["fc.weight"].equal(sd["fc.weight"]).all().item<bool>());
        Assert.True(now["fc.weight"].requires_grad);
    }

    [Fact]
    public void LoadStrict_reports_missing_unexpected_and_misshaped_keys_in_one_error()
    {
        using var m = NewTiny();
        var before = StateDicts.Of(m)["fc.weight"].clone();
        var sd = StateDicts.Of(m).ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone() + 1);
        sd.Remove("bn.running_var");
        sd["extra.weight"] = torch.zeros(1);
        sd["head.0.weight"] = torch.zeros(3, 2);
        sd["bn.num_batches_tracked"] = torch.tensor(1.5);   // float64 -> int64 would lose the .5
        var e = Assert.Throws<CheckpointException>(() => StateDicts.LoadStrict(m, sd, "000000_nets.ckpt[generator]"));
        Assert.Contains("000000_nets.ckpt[generator]", e.Message);
        Assert.Contains("missing key(s): bn.running_var", e.Message);
        Assert.Contains("unexpected key(s): extra.weight", e.Message);
        Assert.Contains("head.0.weight: checkpoint [3, 2] vs module [2, 2]", e.Message);
        Assert.Contains("bn.num_batches_tracked", e.Message);
        Assert.True(StateDicts.Of(m)["fc.weight"].equal(before).all().item<bool>(), "nothing may be copied when the check fails");
    }
}
