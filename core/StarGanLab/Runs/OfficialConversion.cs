using System.Text.RegularExpressions;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using StarGanLab.Checkpoints;

namespace StarGanLab.Runs;

/// <summary>Official checkpoint files to a run directory of ours, and back.</summary>
public static partial class OfficialConversion
{
    /// <summary>Imports NNNNNN_nets.ckpt, NNNNNN_nets_ema.ckpt or a generator-only file (zip or legacy) into
    /// <paramref name="outDir"/>: a config.yaml with the inferred architecture and checkpoints/NNNNNN_&lt;kind&gt;.sgl,
    /// after loading every network strictly.</summary>
    public static (ModelConfig Model, string Checkpoint) Import(string officialFile, string outDir)
    {
        var groups = OfficialCheckpoint.Read(officialFile);
        var model = OfficialModelInference.Infer(groups, officialFile);
        bool hasD = groups.ContainsKey(StarGanNets.DiscriminatorName);
        string kind = hasD ? TrainerCheckpoints.Nets : TrainerCheckpoints.NetsEma;
        var m = StepRegex().Match(Path.GetFileName(officialFile));
        long step = m.Success ? long.Parse(m.Groups[1].Value) : 0;

        using var nets = StarGanNets.Create(model, hasD);
        var present = nets.Modules.Where(n => groups.ContainsKey(n.Name)).ToList();
        foreach (var (name, module) in present)
            StateDicts.LoadStrict(module, groups[name], $"{officialFile}[{name}]");

        string full = Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar);
        var run = RunDirectory.Create(Path.GetDirectoryName(full)!, Path.GetFileName(full), overwrite: false);
        run.WriteText(RunDirectory.ConfigFileName, ConfigWriter.ToYaml(new ExperimentConfig(run.Name) { Model = model }));
        string ckpt = TrainerCheckpoints.FileOf(run.CheckpointDir, step, kind);
        Directory.CreateDirectory(run.CheckpointDir);
        var sds = present.ToDictionary(n => n.Name, n => (IReadOnlyDictionary<string, TorchSharp.torch.Tensor>)StateDicts.Of(n.Module));
        NativeCheckpoint.Save(ckpt, kind, step, TrainerCheckpoints.ModelJson(model), sds);
        return (model, ckpt);
    }

    /// <summary>Writes one of our checkpoints as a PyTorch zip file in the official layout ({net: state_dict}),
    /// loadable by the official CheckpointIO. For a high-pass model (w_hpf &gt; 0) the official checkpoints also
    /// hold the FAN ("fan" entry) and its loader requires it, so the wing file's state dict is added.</summary>
    public static void Export(string ourCheckpoint, string officialFile, string? wingPath = null)
    {
        using var data = NativeCheckpoint.Load(ourCheckpoint);
        if (data.Header.Kind is not (TrainerCheckpoints.Nets or TrainerCheckpoints.NetsEma))
            throw new CheckpointException($"{ourCheckpoint}: a '{data.Header.Kind}' checkpoint holds no networks; export a nets or nets_ema file");
        var model = TrainerCheckpoints.ModelOf(data.Header, ourCheckpoint);
        if (!model.IsOfficial())
            throw new CheckpointException($"{ourCheckpoint}: an ablation variant ({model.Describe()}) has no official counterpart; " +
                "only model.injection adain, model.style_source style and model.discriminator multitask export to the official format");
        var groups = new Dictionary<string, IReadOnlyDictionary<string, TorchSharp.torch.Tensor>>(data.Groups);
        if (model.WHpf > 0)
        {
            if (string.IsNullOrEmpty(wingPath))
                throw new CheckpointException($"{ourCheckpoint}: the model has w_hpf = {model.WHpf}, whose official checkpoints include the FAN; give --wing FILE (or set fan.wing_path in the run's config)");
            groups["fan"] = OfficialCheckpoint.ReadStateDict(wingPath);
        }
        OfficialCheckpoint.Write(officialFile, groups);
    }

    /// <summary>The checkpoint of a run to export: the given step (or the newest) of the given kind.</summary>
    public static string FindInRun(string runDir, long? step, string kind)
    {
        var run = RunDirectory.Open(runDir);
        var steps = TrainerCheckpoints.Steps(run.CheckpointDir, kind);
        if (steps.Count == 0) throw new FileNotFoundException($"{run.CheckpointDir}: no {kind} checkpoint");
        long s = step ?? steps[0];
        if (!steps.Contains(s)) throw new FileNotFoundException($"{run.CheckpointDir}: no {kind} checkpoint at step {s} (have {string.Join(", ", steps)})");
        return TrainerCheckpoints.FileOf(run.CheckpointDir, s, kind);
    }

    [GeneratedRegex(@"^(\d+)_")]
    private static partial Regex StepRegex();
}
