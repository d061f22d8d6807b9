# Found by test/fuzz/differential/torch_diff.py (campaign seed 2289): output v27 differs at 58 of 60 elements (max abs error 0.0073).
# PyTorch 1.13 eager is the inexact side: see ../README.md. Inputs: case.pt (replay: torch_diff.py --replay on this folder).
import torch
import torch.nn.functional as F


def _batch_norm(c):
    bn = torch.nn.BatchNorm2d(c)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-1, 1)
    return bn


class Program(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer2 = torch.nn.Linear(1, 1, bias=True)
        self.layer10 = torch.nn.LayerNorm(1)
        self.layer26 = torch.nn.GroupNorm(1, 5)

    def forward(self, x7):
        v11 = self.layer10(x7)
        v27 = self.layer26(v11)
        return (v27,)


def make():
    torch.manual_seed(2289)
    module = Program().eval()
    inputs = (
        torch.rand([3, 5, 4, 1]) * 4 - 2,
    )
    return module, inputs
