"""ddl's PyTorch frontend in three lines (marked below).

Run from the checkout after ./scripts/build.sh:

    PYTHONPATH=frontends/pytorch /usr/bin/python3 examples/pytorch_quickstart.py

(or `pip install ./frontends/pytorch` and plain `python3`).
"""

import torch
import torchvision

import ddl  # 1

model = torchvision.models.resnet18().eval()  # random weights: nothing is downloaded
x = torch.randn(2, 3, 224, 224)

compiled = ddl.compile(model, (x,), dynamic={"x": {0: "batch"}})  # 2: the batch size may vary
y = compiled(x)  # 3

with torch.no_grad():
    expected = model(x)
print("max |ddl - eager| =", (y - expected).abs().max().item())
print("batch 5:", tuple(compiled(torch.randn(5, 3, 224, 224)).shape))
