"""The models the latency benchmarks run (bench/cpu_latency.py,
bench/gpu_latency.py): torchvision architectures with random weights and a
BERT-base-like encoder, each with a random input. Needs torch (and
torchvision for its models) only."""

import torch


def bert_encoder(batch):
    """BERT-base-like encoder: 12 post-norm layers, hidden 768, 12 heads."""
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=768, nhead=12, dim_feedforward=3072,
                                             batch_first=True)
    model = torch.nn.TransformerEncoder(layer, num_layers=12)
    return model.eval(), torch.randn(batch, 128, 768)


def build(name, batch):
    if name == "bert_encoder":
        return bert_encoder(batch)
    import torchvision  # only the image models need it

    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    # BatchNorm statistics of one random batch: with the default ones
    # (mean 0, var 1) the activations of mobilenet_v2 and its kin decay to
    # denormals, which time the peers' slow paths, not the model.
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    if norms:
        model.train()
        with torch.no_grad():
            model(torch.randn(4, 3, 224, 224))
    # torchvision initializes some classifier heads to zero (vit_b_16's):
    # the output would then be the zero bias whatever the body computes, and
    # the correctness check below could not fail.
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and not m.weight.detach().any():
            torch.nn.init.normal_(m.weight, std=0.02)
    return model.eval(), torch.randn(batch, 3, 224, 224)
