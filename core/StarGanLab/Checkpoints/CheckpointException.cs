namespace StarGanLab.Checkpoints;

/// <summary>
/// Any checkpoint that cannot be read, verified or applied. Messages always name the file (and the
/// network, where there is one) and say what was expected, because the caller usually has several
/// checkpoints in flight and needs to know which one is bad and why.
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message) { }
    public CheckpointException(string message, Exception inner) : base(message, inner) { }
}
