using System.Text.Json;
using System.Text.Json.Serialization;

namespace StarGanLab.Sweeps;

/// <summary>The last attempt at a run (ROOT/tasks/NAME.json), written atomically when a task starts and when it ends.
/// It is what tells a failed run from an interrupted one: the run folder alone cannot.</summary>
/// <param name="State">running | finished | failed | stopped (ended by a signal; resumable).</param>
/// <param name="ExitCode">The training's exit code once ended.</param>
/// <param name="SlurmTask">"JOB_INDEX" when run by a Slurm array task.</param>
public sealed record TaskRecord(
    string State,
    int? ExitCode,
    string Host,
    int Pid,
    DateTime Started,
    DateTime? Ended = null,
    string? SlurmTask = null)
{
    public const string Running = "running", Finished = "finished", Failed = "failed", Stopped = "stopped";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public void Write(string path) => IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The record in <paramref name="path"/>; null when there is none. A record that does not parse (written
    /// by something else) is an error naming the file.</summary>
    public static TaskRecord? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TaskRecord>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty task record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sweep task record ({e.Message}); delete it to let the sweep retry the run", e);
        }
    }
}
