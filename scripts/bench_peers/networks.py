"""Peer for `scripts/bench networks`: the same DINOv2-style vision transformer as bm's `VisionTransformer`, in plain
JAX, jit-compiled by XLA on the CPU, with the same names and timing rule as bm-bench's networks suite (one warm-up
call after compilation, then the median of N calls, each ending in block_until_ready).

The architecture, as bm's: patch embedding (a convolution with kernel = stride = patch, written as the equivalent
reshape and matrix product, the fastest form XLA gets), CLS token, learned position embedding on every token, pre-norm
blocks x += ls1 * attn(norm1(x)); x += ls2 * mlp(norm2(x)) with a fused qkv projection, softmax attention, exact (erf)
GELU and LayerNorm eps 1e-6, then a final LayerNorm. Forward+backward is value_and_grad of mean(tokens²) with respect
to every parameter. One AdamW step (PyTorch's formula, as bm's `AdamW`) is timed on the same parameters.

Peak resident memory is reset (/proc/self/clear_refs) before each model and read from VmHWM after it."""
import json
import math
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np


def median_time(body, repeats):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reset_peak_memory():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def peak_resident_bytes():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def init_parameters(key, image, patch, channels, width, depth, heads, hidden):
    grid = image // patch
    keys = iter(jax.random.split(key, 8 + 8 * depth))

    def normal(shape, std):
        return (std * jax.random.truncated_normal(next(keys), -2.0, 2.0, shape)).astype(jnp.float32)

    fan_in = channels * patch * patch
    bound = 1 / math.sqrt(fan_in)
    parameters = {
        "patch_weight": jax.random.uniform(next(keys), (width, channels, patch, patch), jnp.float32, -bound, bound),
        "patch_bias": jnp.zeros((width,), jnp.float32),
        "cls_token": normal((1, 1, width), 1e-6),
        "pos_embed": normal((1, 1 + grid * grid, width), 0.02),
        "norm_weight": jnp.ones((width,), jnp.float32),
        "norm_bias": jnp.zeros((width,), jnp.float32),
        "blocks": [],
    }
    for _ in range(depth):
        parameters["blocks"].append({
            "norm1_weight": jnp.ones((width,), jnp.float32), "norm1_bias": jnp.zeros((width,), jnp.float32),
            "qkv_weight": normal((3 * width, width), 0.02), "qkv_bias": jnp.zeros((3 * width,), jnp.float32),
            "proj_weight": normal((width, width), 0.02), "proj_bias": jnp.zeros((width,), jnp.float32),
            "ls1": jnp.full((width,), 1e-5, jnp.float32),
            "norm2_weight": jnp.ones((width,), jnp.float32), "norm2_bias": jnp.zeros((width,), jnp.float32),
            "fc1_weight": normal((hidden, width), 0.02), "fc1_bias": jnp.zeros((hidden,), jnp.float32),
            "fc2_weight": normal((width, hidden), 0.02), "fc2_bias": jnp.zeros((width,), jnp.float32),
            "ls2": jnp.full((width,), 1e-5, jnp.float32),
        })
    return parameters


def layer_norm(x, weight, bias, epsilon=1e-6):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    variance = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(variance + epsilon) * weight + bias


def vision_transformer(parameters, images, patch, heads):
    n, channels, size, _ = images.shape
    grid = size // patch
    width = parameters["patch_weight"].shape[0]
    columns = images.reshape(n, channels, grid, patch, grid, patch).transpose(0, 2, 4, 1, 3, 5)
    columns = columns.reshape(n, grid * grid, channels * patch * patch)
    tokens = columns @ parameters["patch_weight"].reshape(width, -1).T + parameters["patch_bias"]
    cls = jnp.broadcast_to(parameters["cls_token"], (n, 1, width))
    x = jnp.concatenate([cls, tokens], axis=1) + parameters["pos_embed"]
    count = x.shape[1]
    head_width = width // heads
    for block in parameters["blocks"]:
        h = layer_norm(x, block["norm1_weight"], block["norm1_bias"])
        qkv = (h @ block["qkv_weight"].T + block["qkv_bias"]).reshape(n, count, 3, heads, head_width)
        q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_width)
        mixed = jax.nn.softmax(scores, axis=-1) @ v
        mixed = mixed.transpose(0, 2, 1, 3).reshape(n, count, width)
        x = x + block["ls1"] * (mixed @ block["proj_weight"].T + block["proj_bias"])
        h = layer_norm(x, block["norm2_weight"], block["norm2_bias"])
        h = jax.nn.gelu(h @ block["fc1_weight"].T + block["fc1_bias"], approximate=False)
        x = x + block["ls2"] * (h @ block["fc2_weight"].T + block["fc2_bias"])
    return layer_norm(x, parameters["norm_weight"], parameters["norm_bias"])


def adamw_step(parameters, gradients, first, second, step, learning_rate=1e-3, beta1=0.9, beta2=0.999,
               epsilon=1e-8, weight_decay=0.05):
    correction1 = 1 - beta1 ** step
    correction2 = 1 - beta2 ** step

    def update(p, g, m, v):
        decay = weight_decay if p.ndim >= 2 else 0.0
        p = p * (1 - learning_rate * decay)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p = p - (learning_rate / correction1) * m / (jnp.sqrt(v) / jnp.sqrt(correction2) + epsilon)
        return p, m, v

    leaves = jax.tree.map(update, parameters, gradients, first, second)
    is_triple = lambda node: isinstance(node, tuple)
    return tuple(jax.tree.map(lambda triple: triple[i], leaves, is_leaf=is_triple) for i in range(3))


def measure(name, image, patch, width, depth, heads, batch, repeats, figures):
    reset_peak_memory()
    parameters = init_parameters(jax.random.PRNGKey(0), image, patch, 3, width, depth, heads, 4 * width)
    images = jax.random.normal(jax.random.PRNGKey(1), (batch, 3, image, image), jnp.float32)

    forward = jax.jit(lambda p, x: vision_transformer(p, x, patch, heads))
    loss = lambda p, x: jnp.mean(jnp.square(vision_transformer(p, x, patch, heads)))
    forward_backward = jax.jit(jax.value_and_grad(loss))
    if name == "vit_small":
        seconds = median_time(lambda: forward(parameters, images).block_until_ready(), repeats)
        figures.append({"name": f"{name}_forward", "seconds": seconds, "images_per_second": batch / seconds})
    seconds = median_time(lambda: jax.block_until_ready(forward_backward(parameters, images)), repeats)
    figures.append({"name": f"{name}_forward_backward", "seconds": seconds, "images_per_second": batch / seconds})

    _, gradients = forward_backward(parameters, images)
    zeros = jax.tree.map(jnp.zeros_like, parameters)
    step = jax.jit(adamw_step)
    seconds = median_time(lambda: jax.block_until_ready(step(parameters, gradients, zeros, zeros, 1.0)), repeats)
    figures.append({"name": f"{name}_adamw_step", "seconds": seconds})
    figures.append({"name": f"peak_rss_{name}", "seconds": 0, "bytes": peak_resident_bytes()})


def main():
    figures = []
    measure("vit_small", image=32, patch=4, width=64, depth=4, heads=4, batch=64, repeats=15, figures=figures)
    measure("vit_s16", image=224, patch=16, width=384, depth=12, heads=6, batch=8, repeats=3, figures=figures)
    for figure in figures:
        print(json.dumps(figure))
    print(json.dumps({"name": "jax_version", "version": jax.__version__}))


if __name__ == "__main__":
    main()
