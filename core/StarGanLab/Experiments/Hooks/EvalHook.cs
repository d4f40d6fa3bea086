using StarGanLab.Metrics;
using StarGanLab.Runs;
using StarGanLab.Tracking;
using StarGanLab.Training;
using StarGanLab.Networks;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Evaluates the EMA networks every <c>train.eval_every</c> steps (and at the last step when
/// metrics.eval_at_end) with the official protocol and the config's metrics: writes eval/*.json and metrics.jsonl
/// and logs the values to the tracker. When the run will evaluate, the weight files are checked in BeforeTrain, so
/// a missing one fails the run at its start, not hours later. Register it before the report hook so reports see the newest numbers.</summary>
public sealed class EvalHook(Tracker? tracker = null, IReadOnlyList<IEvaluationMetric>? extra = null) : ITrainHook
{
    MetricSuite? suite;

    public void BeforeTrain(TrainContext c)
    {
        if (c.Config.Train.EvalEvery <= c.TotalIters || c.Config.Metrics.EvalAtEnd) MetricSuite.CheckFiles(c.Config.Metrics);
    }

    public void AfterStep(TrainContext c, StepLosses losses)
    {
        bool periodic = c.Step % c.Config.Train.EvalEvery == 0;
        bool last = c.Step == c.TotalIters && c.Config.Metrics.EvalAtEnd;
        if (periodic || last) Evaluate(c);
    }

    void Evaluate(TrainContext c)
    {
        var t = c.Trainer;
        var device = t.Ema.Generator.parameters().First().device;
        suite ??= MetricSuite.Open(c.Config.Metrics, device, c.Config.Threads);
        // The trainer's EMA networks, not a copy; not disposed here (the trainer owns them).
        var model = new TrainedModel
        {
            Run = c.Run, Config = c.Config, Nets = t.Ema, Step = c.Step,
            Device = device, Masker = t.Masker as FanMasker,
        };
        var (results, _) = RunEvaluation.Write(model, suite, c.Log, extra);
        tracker?.LogMetrics(c.Step, EvalWriter.Flatten(results));
    }

    public void AfterTrain(TrainContext c)
    {
        suite?.Dispose();
        suite = null;
    }
}
