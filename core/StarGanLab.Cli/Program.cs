using StarGanLab.Native;
using StarGanLab.Parity;
TorchRuntime.EnsureLoaded();
var fx = new ParityFixture(args[1]);
foreach (var c in ForwardParity.Run(fx))
    Console.WriteLine($"{c.Group,-16} {c.Name,-20} maxabs {c.MaxAbs:E2} scale {c.Scale:F2} rel {c.MaxRel:E2} {(c.Pass ? "PASS" : "FAIL")} {c.Note}");
