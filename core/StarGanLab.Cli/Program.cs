using StarGanLab.Native;
using TorchSharp;
TorchRuntime.EnsureLoaded();
var x = torch.randn(4, 3, requires_grad: true);
var y = (x * x).sum();
var g = torch.autograd.grad([y], [x], retain_graph: true, create_graph: true)[0];
var gg = torch.autograd.grad([g.sum()], [x])[0];
Console.WriteLine($"{TorchRuntime.NativeDirectory} threads {torch.get_num_threads()} gg {gg.sum().item<float>()}");
