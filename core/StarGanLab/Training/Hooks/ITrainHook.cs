namespace StarGanLab.Training.Hooks;

/// <summary>Work around the training step (detectron2-style hooks). Call order per run: BeforeTrain once,
/// AfterStep after every iteration (in registration order), AfterTrain once, also when the run is stopped early.</summary>
public interface ITrainHook
{
    void BeforeTrain(TrainContext context) { }
    void AfterStep(TrainContext context, StepLosses losses) { }
    void AfterTrain(TrainContext context) { }
}
