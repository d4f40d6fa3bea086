namespace StarGanLab.Training;

/// <summary>lambda_ds decays linearly from its initial value to 0 over ds_iter iterations (paper section 4:
/// "we linearly decay lambda_ds to zero"). A function of the step, so resume continues the schedule exactly
/// (the official code mutates args.lambda_ds and restarts it from the initial value on resume).</summary>
public static class DiversitySchedule
{
    /// <summary>The weight used in iteration <paramref name="step"/> (0-based).</summary>
    public static double Weight(double initial, int dsIter, long step) =>
        initial <= 0 || dsIter <= 0 ? 0 : Math.Max(0, initial - initial * step / dsIter);
}
