"""Writes vit_forward.json: a tiny DINOv2-style ViT's parameters, images, masks and output tokens, computed in numpy
from DINOv2's reference code (facebookresearch/dinov2, dinov2/models/vision_transformer.py and layers/), independently
of bm. Run: python3 Tests/NetworksTests/Fixtures/make_vit_fixture.py (numpy only; the version is recorded)."""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20261130)
n, channels, size, patch, width, depth, heads, registers, hidden = 2, 3, 8, 4, 8, 2, 2, 1, 16
grid = size // patch
patches = grid * grid


def normal(*shape, std=1.0):
    return rng.normal(0.0, std, size=shape)


# Random (not DINOv2-initialised) values so that every parameter matters in the output.
state = {
    "cls_token": normal(1, 1, width),
    "register_tokens": normal(1, registers, width),
    "pos_embed": normal(1, 1 + patches, width, std=0.5),
    "mask_token": normal(1, width),
    "patch_embed.proj.weight": normal(width, channels, patch, patch, std=0.3),
    "patch_embed.proj.bias": normal(width, std=0.1),
    "norm.weight": 1 + normal(width, std=0.2),
    "norm.bias": normal(width, std=0.2),
}
for b in range(depth):
    p = f"blocks.{b}."
    state.update({
        p + "norm1.weight": 1 + normal(width, std=0.2), p + "norm1.bias": normal(width, std=0.2),
        p + "attn.qkv.weight": normal(3 * width, width, std=0.5), p + "attn.qkv.bias": normal(3 * width, std=0.1),
        p + "attn.proj.weight": normal(width, width, std=0.4), p + "attn.proj.bias": normal(width, std=0.1),
        p + "ls1.gamma": normal(width, std=0.5),
        p + "norm2.weight": 1 + normal(width, std=0.2), p + "norm2.bias": normal(width, std=0.2),
        p + "mlp.fc1.weight": normal(hidden, width, std=0.4), p + "mlp.fc1.bias": normal(hidden, std=0.1),
        p + "mlp.fc2.weight": normal(width, hidden, std=0.3), p + "mlp.fc2.bias": normal(width, std=0.1),
        p + "ls2.gamma": normal(width, std=0.5),
    })
images = normal(n, channels, size, size)
masks = rng.random((n, patches)) < 0.3


def layer_norm(x, w, b, eps=1e-6):  # nn.LayerNorm(eps=1e-6)
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def linear(x, name):
    return x @ state[name + ".weight"].T + state[name + ".bias"]


def gelu(x):  # nn.GELU(): exact
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def attention(x, p):  # MemEffAttention / Attention.forward
    B, N, C = x.shape
    qkv = linear(x, p + "attn.qkv").reshape(B, N, 3, heads, C // heads).transpose(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * (C // heads) ** -0.5, qkv[1], qkv[2]
    a = q @ k.transpose(0, 1, 3, 2)
    a = np.exp(a - a.max(-1, keepdims=True))
    a = a / a.sum(-1, keepdims=True)
    x = (a @ v).transpose(0, 2, 1, 3).reshape(B, N, C)
    return linear(x, p + "attn.proj")


# PatchEmbed: Conv2d(kernel = stride = patch), flatten(2).transpose(1, 2)
w = state["patch_embed.proj.weight"]
x = np.zeros((n, patches, width))
for i in range(grid):
    for j in range(grid):
        window = images[:, :, i * patch:(i + 1) * patch, j * patch:(j + 1) * patch]
        x[:, i * grid + j] = np.einsum("nchw,ochw->no", window, w) + state["patch_embed.proj.bias"]
# prepare_tokens_with_masks
x = np.where(masks[..., None], state["mask_token"][None], x)
x = np.concatenate([np.broadcast_to(state["cls_token"], (n, 1, width)), x], axis=1)
x = x + state["pos_embed"]
x = np.concatenate([x[:, :1], np.broadcast_to(state["register_tokens"], (n, registers, width)), x[:, 1:]], axis=1)
blocks = []
for b in range(depth):
    p = f"blocks.{b}."
    x = x + state[p + "ls1.gamma"] * attention(layer_norm(x, state[p + "norm1.weight"], state[p + "norm1.bias"]), p)
    h = layer_norm(x, state[p + "norm2.weight"], state[p + "norm2.bias"])
    x = x + state[p + "ls2.gamma"] * linear(gelu(linear(h, p + "mlp.fc1")), p + "mlp.fc2")
    blocks.append(x)
tokens = layer_norm(x, state["norm.weight"], state["norm.bias"])


def encode(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.astype(float).ravel().tolist()}


fixture = {
    "generator": "Tests/NetworksTests/Fixtures/make_vit_fixture.py",
    "versions": {"numpy": np.__version__},
    "configuration": {"imageSize": size, "patchSize": patch, "channels": channels, "width": width, "depth": depth,
                      "heads": heads, "registers": registers, "hidden": hidden},
    "state": {k: encode(v) for k, v in state.items()},
    "images": encode(images),
    "masks": encode(masks),
    "blocks": [encode(b) for b in blocks],
    "tokens": encode(tokens),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vit_forward.json"), "w") as f:
    json.dump(fixture, f)
