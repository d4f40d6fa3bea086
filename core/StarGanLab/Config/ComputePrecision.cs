namespace StarGanLab.Config;

/// <summary>The number format the training step's convolutions compute in (train.precision).</summary>
public enum ComputePrecision
{
    /// <summary>float32 everywhere (default).</summary>
    Fp32,
    /// <summary>Convolutions of the training step take bfloat16 inputs and weights and return float32, as PyTorch's
    /// CPU autocast does; parameters, gradients, Adam, the EMA, normalisation and losses stay float32. Needs a CPU
    /// with avx512_bf16 or amx_bf16 (or a GPU). See docs/precision.md.</summary>
    Bf16,
}
