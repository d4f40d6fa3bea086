using StarGanLab.Training;
namespace StarGanLab.Experiments.Hooks;

/// <summary>Saves nets, EMA nets and optimizer/trainer state every save_every steps and at the end of the run
/// (also when stopped early), keeping the newest <c>keep</c> checkpoints (0: all).</summary>
public sealed class CheckpointHook(int every, int keep) : ITrainHook
{
    long lastSaved = -1;

    public void BeforeTrain(TrainContext c) => lastSaved = c.Step;

    public void AfterStep(TrainContext c, StepLosses losses)
    {
        if (c.Step % every == 0) Save(c);
    }

    public void AfterRollback(TrainContext c) => lastSaved = c.Step;

    public void AfterTrain(TrainContext c)
    {
        if (c.Step != lastSaved && !c.Failed) Save(c);
    }

    void Save(TrainContext c)
    {
        TrainerCheckpoints.Save(c.Trainer, c.LatentRng, c.DataPosition(), c.Run.CheckpointDir);
        lastSaved = c.Step;
        if (keep > 0) TrainerCheckpoints.Prune(c.Run.CheckpointDir, keep);
    }
}
