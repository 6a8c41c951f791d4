# The tutorial's models in PyTorch, for comparison with tools/train on the same data and machine.
#   --arch mlp (default): Flatten -> Linear(784, 128) + ReLU -> Linear(128, 10)
#   --arch cnn: Conv2d(1, 16, 5) + ReLU -> MaxPool2d(2) -> Conv2d(16, 32, 5) + ReLU -> MaxPool2d(2)
#               -> Flatten -> Linear(512, 10), NCHW (PyTorch's native layout)
# Both: Keras defaults (Glorot-uniform kernels, zero biases; Adam lr 1e-3, eps 1e-7), sparse categorical
# cross-entropy, batch 32, shuffled each epoch, validation (the test split) after each epoch.
#   python3 bench/compare/pytorch_twin.py data/fashion-mnist [epochs] [threads] [seed] [options]
# Options (anywhere on the line; without them the MLP run and its output are as they always were):
#   --arch mlp|cnn     model to train
#   --channels-last    CNN only: weights and batches in NHWC memory order (a speed option, same maths)
#   --no-mkldnn        turn off oneDNN (torch.backends.mkldnn) to time PyTorch's own kernels
#   --steps N          train only N batches per epoch and also print the time scaled to a full epoch,
#                      for timing runs too slow to repeat in full (loss is then over those N batches)
#   --info             print torch version, threads and oneDNN state to stderr before training
# Prints one line per epoch: training seconds (validation excluded), loss, val accuracy.
import argparse, gzip, sys, time
import numpy as np
import torch

def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)

p = argparse.ArgumentParser(description="PyTorch twin of the tutorial's MLP or CNN")
p.add_argument("data")
p.add_argument("epochs", nargs="?", type=int, default=10)
p.add_argument("threads", nargs="?", type=int, default=1)
p.add_argument("seed", nargs="?", type=int, default=1)
p.add_argument("--arch", choices=("mlp", "cnn"), default="mlp")
p.add_argument("--channels-last", action="store_true")
p.add_argument("--no-mkldnn", action="store_true")
p.add_argument("--steps", type=int, default=0)
p.add_argument("--info", action="store_true")
a = p.parse_intermixed_args()
if a.channels_last and a.arch != "cnn":
    p.error("--channels-last needs --arch cnn: the MLP has no image tensors")
if a.steps < 0:
    p.error(f"--steps must be 0 (a full epoch) or more, got {a.steps}")

d = a.data
epochs = a.epochs
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
if a.no_mkldnn:
    torch.backends.mkldnn.enabled = False
shape = (-1, 784) if a.arch == "mlp" else (-1, 1, 28, 28)
x = torch.tensor(idx(f"{d}/train-images-idx3-ubyte.gz").reshape(shape) / 255.0, dtype=torch.float32)
y = torch.tensor(idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64))
xv = torch.tensor(idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(shape) / 255.0, dtype=torch.float32)
yv = torch.tensor(idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
nn = torch.nn
if a.arch == "mlp":
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(512, 10))
# Keras defaults: Glorot-uniform kernels, zero biases. For a conv kernel (out, in, k, k) PyTorch's fans are
# in*k*k and out*k*k, the same as Keras' for its (k, k, in, out) kernel.
for layer in model:
    if isinstance(layer, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
memory = torch.channels_last if a.channels_last else torch.contiguous_format
if a.channels_last:
    model = model.to(memory_format=memory)
if a.info:
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"mkldnn available {torch.backends.mkldnn.is_available()} enabled {torch.backends.mkldnn.enabled}, "
          f"arch {a.arch}, channels_last {a.channels_last}", file=sys.stderr, flush=True)

def accuracy():
    # The CNN's activations for all 10k images at once would take ~0.5 GB; 1,000 at a time is enough.
    if a.arch == "mlp":
        return (model(xv).argmax(1) == yv).float().mean().item()
    right = sum((model(xv[i:i + 1000].contiguous(memory_format=memory)).argmax(1) == yv[i:i + 1000]).sum().item()
                for i in range(0, len(xv), 1000))
    return right / len(xv)

opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
batches = (len(x) + 31) // 32
limit = len(x) if a.steps == 0 else min(len(x), 32 * a.steps)
for epoch in range(1, epochs + 1):
    perm = torch.randperm(len(x))
    t0 = time.perf_counter()
    total = 0.0
    for i in range(0, limit, 32):
        idxs = perm[i:i + 32]
        xb = x[idxs] if a.arch == "mlp" else x[idxs].contiguous(memory_format=memory)
        opt.zero_grad()
        loss = loss_fn(model(xb), y[idxs])
        loss.backward()
        opt.step()
        total += loss.item() * len(idxs)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = accuracy()
    if a.steps == 0:
        print(f"epoch {epoch}: {seconds:.3f} s, loss {total / len(x):.4f}, val_accuracy {acc:.4f}", flush=True)
    else:
        steps = (limit + 31) // 32
        print(f"epoch {epoch}: {seconds:.3f} s for {steps} steps ({seconds * batches / steps:.3f} s per "
              f"{batches}-step epoch), loss {total / limit:.4f}, val_accuracy {acc:.4f}", flush=True)
