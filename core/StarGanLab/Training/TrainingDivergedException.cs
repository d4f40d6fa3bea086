namespace StarGanLab.Training;

/// <summary>A loss or a weight became NaN or infinite: the step that saw it is not kept, and train.on_nan decides
/// whether the run stops or rolls back to its last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
