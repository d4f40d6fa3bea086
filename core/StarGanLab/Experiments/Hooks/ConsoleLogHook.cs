using StarGanLab.Training;

namespace StarGanLab.Experiments.Hooks;

/// <summary>One plain line per print_every steps (and at the last) with the speed, the time left and the official
/// log line's terms: for output that is not a terminal (CI, nohup, Slurm) and for scripts.</summary>
/// <param name="every">Steps between lines; null: the run's train.print_every.</param>
public sealed class ConsoleLogHook(int? every = null, Action<string>? write = null) : ITrainHook
{
    readonly Action<string> write = write ?? Console.WriteLine;

    public void AfterStep(TrainContext c, StepLosses l)
    {
        if (c.Step % (every ?? c.Config.Train.PrintEvery) != 0 && c.Step != c.TotalIters) return;
        double eta = c.SecondsPerIter * (c.TotalIters - c.Step);
        write($"[{c.Step}/{c.TotalIters}] {c.SecondsPerIter:F3} s/it, eta {TimeSpan.FromSeconds(eta):hh\\:mm\\:ss} | " +
              string.Join(" ", l.Flatten().Select(kv => $"{kv.Key}: {kv.Value:F4}")));
    }
}
