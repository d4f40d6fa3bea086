using StarGanLab.Training;
namespace StarGanLab.Experiments.Hooks;

/// <summary>Work around the training step (detectron2-style hooks). Call order per run: BeforeTrain once,
/// AfterStep after every iteration (in registration order), AfterRollback when a
/// non-finite loss rolled the run back, AfterTrain once, also when the run is stopped early.</summary>
public interface ITrainHook
{
    void BeforeTrain(TrainContext context) { }
    void AfterStep(TrainContext context, StepLosses losses) { }
    void AfterTrain(TrainContext context) { }
    /// <summary>After train.on_nan: rollback restored an earlier checkpoint; <c>context.Step</c> is that checkpoint's step.</summary>
    void AfterRollback(TrainContext context) { }
}
