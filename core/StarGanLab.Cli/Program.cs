using StarGanLab.Native;
using StarGanLab.Parity;
TorchRuntime.EnsureLoaded();
var fx = new ParityFixture(args[1]);
var all = ForwardParity.Run(fx);
if (TrainingParity.Applies(fx)) all.AddRange(TrainingParity.Run(fx));
foreach (var c in all)
    Console.WriteLine($"{c.Group,-16} {c.Name,-36} maxabs {c.MaxAbs:E2} scale {c.Scale:E2} rel {c.MaxRel:E2} {(c.Pass ? "PASS" : "FAIL")} {c.Note}");
