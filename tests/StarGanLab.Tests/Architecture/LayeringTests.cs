using StarGanLab.Config;
using Xunit;
using Xunit.Abstractions;

namespace StarGanLab.Tests.Architecture;

/// <summary>The layers of docs/architecture.md, checked on the compiled library: a namespace may use its own layer
/// and the layers below it, never one above. A namespace that is not listed here fails the test until it is given
/// a layer, so a new folder cannot slip in between.</summary>
public class LayeringTests(ITestOutputHelper output)
{
    /// <summary>Bottom to top.</summary>
    static readonly (string Layer, string[] Namespaces)[] Layers =
    [
        ("foundation", ["Native", "IO", "Security", "Config"]),
        ("model", ["Data", "Kernels", "Networks", "Checkpoints", "Alignment"]),
        ("training", ["Training"]),
        ("lab", ["Runs", "Sampling", "Metrics", "Reports", "Tracking", "Experiments", "Sweeps", "Benchmarks", "Parity"]),
    ];

    static readonly Lazy<Dictionary<string, Dictionary<string, string>>> Graph =
        new(() => NamespaceGraph.Of(typeof(ExperimentConfig).Assembly.Location));

    /// <summary>The layer index of a namespace (StarGanLab.Metrics.GroundTruth is in Metrics' layer), or -1.</summary>
    static int LayerOf(string ns)
    {
        string top = ns["StarGanLab.".Length..].Split('.')[0];
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i].Namespaces.Contains(top)) return i;
        return -1;
    }

    [Fact]
    public void Every_namespace_of_the_library_has_a_layer()
    {
        var unplaced = Graph.Value.Keys.Where(ns => LayerOf(ns) < 0).ToList();
        Assert.True(unplaced.Count == 0, $"give these namespaces a layer in LayeringTests and docs/architecture.md: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void No_namespace_uses_a_layer_above_its_own()
    {
        var upward = (from kv in Graph.Value
                      from use in kv.Value
                      let src = LayerOf(kv.Key)
                      let to = LayerOf(use.Key)
                      where src >= 0 && to > src
                      select $"{kv.Key} ({Layers[src].Layer}) -> {use.Key} ({Layers[to].Layer}): {use.Value}").ToList();
        foreach (var kv in Graph.Value.OrderBy(k => LayerOf(k.Key)).ThenBy(k => k.Key))
            output.WriteLine($"{kv.Key} -> {string.Join(", ", kv.Value.Keys.Order())}");
        Assert.True(upward.Count == 0, "references pointing up a layer:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void The_graph_is_read_from_method_bodies_too()
    {
        // A use that only a method body holds (the hooks call TrainerCheckpoints inside methods) must be seen, or the
        // check above would pass on an empty graph.
        Assert.Contains("StarGanLab.Training", Graph.Value["StarGanLab.Experiments.Hooks"].Keys);
        Assert.Contains("StarGanLab.Networks", Graph.Value["StarGanLab.Training"].Keys);
    }

    [Fact]
    public void The_library_does_not_reference_the_command_line_packages()
    {
        var names = typeof(ExperimentConfig).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("System.CommandLine", names);
        Assert.DoesNotContain("Spectre.Console", names);
        Assert.DoesNotContain("stargan", names);
    }
}
