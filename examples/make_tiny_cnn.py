#!/usr/bin/env python3
"""Writes the bundled example model: a small image classifier exported from
PyTorch 1.13 to ONNX with a symbolic batch dimension, plus one input batch.

    /usr/bin/python3 examples/make_tiny_cnn.py   # rewrites the two files

The weights are random (seed 0): the example shows the compiler and
runtime working end to end, not a trained network.
"""
import os

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


class TinyCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16),
            torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1))
        self.classifier = torch.nn.Linear(32, 10)

    def forward(self, image):
        x = self.features(image).flatten(1)
        return torch.softmax(self.classifier(x), dim=1)


model = TinyCNN().eval()
image = torch.randn(2, 3, 32, 32)
torch.onnx.export(model, image, os.path.join(here, "tiny-cnn.onnx"),
                  input_names=["image"], output_names=["probabilities"],
                  dynamic_axes={"image": {0: "batch"},
                                "probabilities": {0: "batch"}},
                  opset_version=13)
np.save(os.path.join(here, "tiny-cnn-input.npy"), image.numpy())
np.save(os.path.join(here, "tiny-cnn-expected.npy"), model(image).detach().numpy())
