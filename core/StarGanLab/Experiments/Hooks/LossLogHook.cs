using System.Globalization;
using System.Text.Json;
using StarGanLab.Training;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Appends the official log line's values as one JSON object per print_every steps to losses.jsonl,
/// flushed each time so a crash loses at most the current line.</summary>
public sealed class LossLogHook(int every) : ITrainHook
{
    StreamWriter? writer;

    public void BeforeTrain(TrainContext c)
    {
        // On resume, drop lines past the checkpoint being resumed so the file never holds a step twice.
        if (File.Exists(c.Run.LossesFile) && c.Step > 0)
        {
            var kept = File.ReadLines(c.Run.LossesFile)
                .Where(l => l.Length > 0 && JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64() <= c.Step)
                .ToList();
            c.Run.WriteText(Path.GetFileName(c.Run.LossesFile), kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
        }
        writer = new StreamWriter(new FileStream(c.Run.LossesFile, c.Step > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read));
    }

    public void AfterStep(TrainContext c, StepLosses losses)
    {
        if (c.Step % every != 0 && c.Step != c.TotalIters) return;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("step", c.Step);
            json.WriteString("time", DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture));
            json.WriteNumber("s_per_iter", Math.Round(c.SecondsPerIter, 5));
            json.WriteNumber("data_wait_s_per_iter", Math.Round(c.DataWaitPerIter, 6));
            foreach (var (key, value) in losses.Flatten()) json.WriteNumber(key, value);
            json.WriteEndObject();
        }
        writer!.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        writer.Flush();
    }

    /// <summary>Lines of the steps that were undone are dropped, as on resume.</summary>
    public void AfterRollback(TrainContext c)
    {
        writer?.Dispose();
        BeforeTrain(c);
    }

    public void AfterTrain(TrainContext c)
    {
        writer?.Dispose();
        writer = null;
    }
}
