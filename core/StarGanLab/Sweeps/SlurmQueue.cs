using System.Globalization;

namespace StarGanLab.Sweeps;

/// <summary>One array task as squeue lists it.</summary>
public sealed record SlurmTaskState(int Index, string State, string Reason)
{
    /// <summary>States in which a task still has to run or is running (squeue's long names).</summary>
    public bool IsActive => State is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "REQUEUED" or "REQUEUE_HOLD"
        or "REQUEUE_FED" or "RESIZING" or "SIGNALING" or "STAGE_OUT";
}

/// <summary>Reads the output of <c>squeue -h -r -j JOB --states=all -o "%i|%T|%r"</c>: one line per array task,
/// "JOB_INDEX|STATE|REASON". Tasks not yet split off a pending array appear as "JOB_[4-7%2]" or "JOB_[1,3,5-6]";
/// those expand to one entry per index.</summary>
public static class SqueueParser
{
    public const string Format = "%i|%T|%r";

    public static IReadOnlyDictionary<int, SlurmTaskState> Parse(string text, string jobId)
    {
        var tasks = new SortedDictionary<int, SlurmTaskState>();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0) continue;
            var fields = line.Split('|');
            if (fields.Length != 3)
                throw new InvalidDataException($"squeue line '{line}': expected JOB_INDEX|STATE|REASON (squeue -o \"{Format}\")");
            string id = fields[0];
            if (!id.StartsWith(jobId + "_", StringComparison.Ordinal)) continue;   // another job, or the array's own record
            foreach (int index in Indexes(id[(jobId.Length + 1)..], line))
                tasks[index] = new SlurmTaskState(index, fields[1], fields[2]);
        }
        return tasks;
    }

    static IEnumerable<int> Indexes(string spec, string line)
    {
        if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int single)) return [single];
        if (!(spec.StartsWith('[') && spec.EndsWith(']')))
            throw new InvalidDataException($"squeue line '{line}': '{spec}' is not an array index or [range]");
        var body = spec[1..^1];
        int percent = body.IndexOf('%');
        if (percent >= 0) body = body[..percent];   // the throttle, not an index
        var indexes = new List<int>();
        foreach (var part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is 1 or 2 && ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                int from = int.Parse(ends[0], CultureInfo.InvariantCulture), to = int.Parse(ends[^1], CultureInfo.InvariantCulture);
                for (int i = from; i <= to; i++) indexes.Add(i);
            }
            else throw new InvalidDataException($"squeue line '{line}': '{part}' is not an index or a range");
        }
        return indexes;
    }
}
