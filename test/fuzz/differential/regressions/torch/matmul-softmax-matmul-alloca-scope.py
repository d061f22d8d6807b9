# Found by test/fuzz/differential/torch_diff.py (campaign seed 3551): ddlc failed (internal compiler error in convert-scf-to-cf).
# x1 @ x2, softmax, @ x6 becomes the CPU attention kernel; its loop was too small for the thread pool, and the memref.alloca_scope
# around its scratch kept loops that convert-scf-to-cf made invalid (fixed by ddl-inline-alloca-scopes). Inputs: the .pt beside this file.
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

    def forward(self, x1, x2, x6):
        v3 = x1 @ x2
        v5 = torch.softmax(v3, 1)
        v7 = torch.matmul(v5, x6)
        return (v7,)


def make():
    torch.manual_seed(3551)
    module = Program().eval()
    inputs = (
        torch.rand([4, 6]) * 4 - 2,
        torch.rand([6, 1]) * 4 - 2,
        torch.rand([1, 9]) * 4 - 2,
    )
    return module, inputs
