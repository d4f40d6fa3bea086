using Xunit;

// Why serial: TorchSharp 0.107 hands libtorch implicit Scalars that nothing keeps alive during the native call (see
// core/StarGanLab/Native/NoGcRegion.cs). The library holds the GC off around each unit of work, but every region it
// starts and ends collects, and with test classes in parallel those collections land in the middle of another
// test's tensor ops outside any region: "Unknown scalar type" / "toFloat" in about one loaded full run of three
// (Lpips, GeneratorContent, KernelGuard, SampleGrid tests), even with test.runsettings' large gen0 budget. One test at
// a time leaves only background threads to collect meanwhile, which the gen0 budget makes rare.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
