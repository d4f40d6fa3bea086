using Xunit;

namespace StarGanLab.Tests.Native;

/// <summary>Tests that run torch in this process with a thread count other than libtorch's default.</summary>
/// <remarks>The count is process-wide and changes how float sums are split, so a test class running beside one of
/// these would see its results move mid-run (a resume-equals-one-go check failed this way in CI). xunit runs a
/// collection without parallelization after all others, on its own.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch threads: process-wide, nothing runs beside";
}
