using StarGanLab.Metrics;
using StarGanLab.Runs;

namespace StarGanLab.Experiments;

/// <summary>The evaluation a run's config asks for (metrics.*: FID and LPIPS with metrics.backbone, the ground truth
/// with metrics.ground_truth), written into the run folder (eval/*.json, metrics.jsonl). The training's EvalHook, stargan
/// eval and a sweep completing an interrupted end-of-run evaluation all come here, so they write the same numbers.</summary>
public static class RunEvaluation
{
    /// <param name="options">The evaluation options (default: the config's; stargan eval passes them with its --mode,
    /// --seeds and --seed applied).</param>
    /// <returns>The results, and the files written under the run's eval folder.</returns>
    public static (IReadOnlyList<EvalResult> Results, IReadOnlyList<string> Files) Write(
        TrainedModel model, MetricSuite suite, Action<string> log,
        IReadOnlyList<IEvaluationMetric>? extra = null, EvalOptions? options = null)
    {
        log(suite.IsEmpty ? $"evaluating step {model.Step} (metrics.backbone none: no FID/LPIPS, only the other metrics)"
                          : $"evaluating step {model.Step} ({suite.FidName}, {suite.LpipsName})");
        options ??= EvalOptions.From(model.Config, log);
        if (extra is { Count: > 0 }) options = options with { Extra = [.. options.Extra ?? [], .. extra] };
        var results = Evaluation.Run(model, suite, options, log);
        return (results, EvalWriter.Write(model.Run, results, suite.FidName, suite.LpipsName));
    }

    /// <summary>Evaluates the newest checkpoint of a run that trained to its end but whose end-of-run evaluation did
    /// not finish (stopped or killed while it ran). Nothing is trained and no checkpoint is touched.
    /// <see cref="ExperimentOptions.Overrides"/> apply to the run's config (a sweep passes its thread share).</summary>
    public static ExperimentResult AtEnd(string runDirectory, ExperimentOptions options)
    {
        using var model = TrainedModel.Load(runDirectory, step: null, device: null, options.Log, options.Overrides);
        MetricSuite.CheckFiles(model.Config.Metrics);
        using var suite = MetricSuite.Open(model.Config.Metrics, model.Device, model.Config.Threads);
        Write(model, suite, options.Log);
        return new ExperimentResult(runDirectory, model.Step, model.Config.Train.TotalIters);
    }
}
