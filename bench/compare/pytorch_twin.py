# The tutorial's model in PyTorch, for comparison with tools/train on the same data and machine:
# Flatten -> Linear(784, 128) + ReLU -> Linear(128, 10), Adam (Keras defaults: lr 1e-3, eps 1e-7),
# sparse categorical cross-entropy, batch 32, shuffled each epoch, validation after each epoch.
#   python3 bench/compare/pytorch_twin.py data/fashion-mnist [epochs] [threads] [seed]
# Prints one line per epoch: training seconds (validation excluded), loss, val accuracy.
import gzip, sys, time
import numpy as np
import torch

def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)

d = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
torch.manual_seed(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
x = torch.tensor(idx(f"{d}/train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
y = torch.tensor(idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64))
xv = torch.tensor(idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
yv = torch.tensor(idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
for layer in (model[0], model[2]):  # Keras defaults: Glorot-uniform kernels, zero biases
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()
for epoch in range(1, epochs + 1):
    perm = torch.randperm(len(x))
    t0 = time.perf_counter()
    total = 0.0
    for i in range(0, len(x), 32):
        idxs = perm[i:i + 32]
        opt.zero_grad()
        loss = loss_fn(model(x[idxs]), y[idxs])
        loss.backward()
        opt.step()
        total += loss.item() * len(idxs)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = (model(xv).argmax(1) == yv).float().mean().item()
    print(f"epoch {epoch}: {seconds:.3f} s, loss {total / len(x):.4f}, val_accuracy {acc:.4f}", flush=True)
