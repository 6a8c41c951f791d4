# ONNX fixtures for the interchange tests, in ONNX's own backend-test layout:
#   DIR/model.onnx, DIR/test_data_set_0/input_0.pb, DIR/test_data_set_0/output_0.pb (serialized TensorProto)
# Run with Debian's PyTorch (python3-torch, python3-onnx):
#   /usr/bin/python3 bench/compare/export_onnx.py interchange/src/test/resources/lanes/interchange/onnx
#   /usr/bin/python3 bench/compare/export_onnx.py --big OUT.onnx     (a ~2.7 MB MLP, for import timing)
# PyTorch models (references: PyTorch's own outputs):
#   mlp    Flatten -> Linear(784, 32) + ReLU -> x @ W + b (exported as MatMul + Add) -> Softmax   opset 11
#   lenet  LeNet-5, flattened with x.view(x.size(0), -1) (the Shape/Gather/Unsqueeze/Concat subgraph) opset 13
#   cnn    3x20x24 input: Conv + BatchNorm + ReLU, stride-2 Conv + BatchNorm + ReLU, MaxPool, Flatten,
#          Linear + Tanh, Linear + Sigmoid                                                           opset 17
# Hand-built graphs (references: numpy), for what PyTorch does not emit:
#   gemm_attrs   Gemm with alpha, beta, transB = 0, float_data initializers, constant-shape Reshape,
#                Dropout, Identity, opset 9
#   same_pool    Conv with auto_pad SAME_UPPER, MaxPool with explicit asymmetric pads, MatMul without Add,
#                a fixed batch of 1
#   unsupported  a grouped Conv and a LeakyRelu: must be refused, naming both
# Every model has a dynamic batch dimension except same_pool; each data set holds a batch of 3 (1 for
# same_pool). Seeded: the same files every run.
import os, sys
import numpy as np
import torch
import onnx
from onnx import helper, numpy_helper, TensorProto

torch.manual_seed(7)
rng = np.random.default_rng(7)


def save_case(root, name, model_path_writer, inputs, outputs):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    model_path_writer(os.path.join(d, "model.onnx"))
    for k, a in enumerate(inputs):
        with open(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(np.ascontiguousarray(a, np.float32), f"input_{k}").SerializeToString())
    for k, a in enumerate(outputs):
        with open(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(np.ascontiguousarray(a, np.float32), f"output_{k}").SerializeToString())
    print(name, os.path.getsize(os.path.join(d, "model.onnx")), "bytes")


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = torch.nn.Flatten()
        self.fc1 = torch.nn.Linear(784, 32)
        self.w = torch.nn.Parameter(torch.randn(32, 10) * 0.3)
        self.b = torch.nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        x = torch.relu(self.fc1(self.flatten(x)))
        return torch.softmax(x @ self.w + self.b, dim=1)


class LeNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = torch.nn.Conv2d(6, 16, 5)
        self.f1 = torch.nn.Linear(400, 120)
        self.f2 = torch.nn.Linear(120, 84)
        self.f3 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)
        x = torch.relu(self.f1(x))
        x = torch.relu(self.f2(x))
        return torch.softmax(self.f3(x), dim=1)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.b1 = torch.nn.BatchNorm2d(8)
        self.c2 = torch.nn.Conv2d(8, 12, 3, stride=2, padding=1)
        self.b2 = torch.nn.BatchNorm2d(12)
        self.f1 = torch.nn.Linear(12 * 5 * 6, 24)
        self.f2 = torch.nn.Linear(24, 5)
        for bn in (self.b1, self.b2):  # non-trivial statistics, as after training
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.data.uniform_(0.5, 1.5)
            bn.bias.data.uniform_(-0.3, 0.3)

    def forward(self, x):
        x = torch.relu(self.b1(self.c1(x)))
        x = torch.relu(self.b2(self.c2(x)))
        x = torch.flatten(torch.max_pool2d(x, 2), 1)
        return torch.sigmoid(self.f2(torch.tanh(self.f1(x))))


def export_torch(root, name, model, shape, opset):
    model.eval()
    x = torch.rand(3, *shape)
    with torch.no_grad():
        y = model(x).numpy()

    def write(path):
        # PRESERVE keeps BatchNormalization as its own node (EVAL would fold it into the Conv).
        torch.onnx.export(model, torch.rand(1, *shape), path, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          training=torch.onnx.TrainingMode.PRESERVE)
    save_case(root, name, write, [x.numpy()], [y])


def gemm_attrs(root):
    w1 = rng.normal(0, 0.2, (24, 36)).astype(np.float32)   # transB = 0: [in, out]
    c1 = rng.normal(0, 0.1, (24,)).astype(np.float32)
    w2 = rng.normal(0, 0.3, (7, 24)).astype(np.float32)    # transB = 1: [out, in]
    c2 = rng.normal(0, 0.1, (1, 7)).astype(np.float32)
    w1t = w1.T.copy()

    def float_data(name, a):  # float_data instead of raw_data
        return helper.make_tensor(name, TensorProto.FLOAT, a.shape, a.flatten().tolist())

    nodes = [
        helper.make_node("Reshape", ["input", "shape"], ["flat"], name="reshape"),
        helper.make_node("Gemm", ["flat", "w1", "c1"], ["g1"], name="gemm1", alpha=0.5, beta=2.0),
        helper.make_node("Tanh", ["g1"], ["t1"], name="tanh"),
        helper.make_node("Dropout", ["t1"], ["d1"], name="dropout", ratio=0.5),
        helper.make_node("Gemm", ["d1", "w2", "c2"], ["g2"], name="gemm2", transB=1),
        helper.make_node("Identity", ["g2"], ["i2"], name="identity"),
        helper.make_node("Sigmoid", ["i2"], ["output"], name="sigmoid"),
    ]
    graph = helper.make_graph(
        nodes, "gemm_attrs",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 6, 6])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 7])],
        [float_data("w1", w1t), float_data("c1", c1), float_data("w2", w2), float_data("c2", c2),
         helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 36])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)], producer_name="export_onnx.py")
    model.ir_version = 4
    onnx.checker.check_model(model)
    x = rng.random((3, 1, 6, 6), dtype=np.float32)
    h = np.tanh(0.5 * (x.reshape(3, 36) @ w1t) + 2.0 * c1)
    y = 1 / (1 + np.exp(-(h @ w2.T + c2)))
    save_case(root, "gemm_attrs", lambda p: onnx.save(model, p), [x], [y])


def conv_ref(x, w, b, stride, pads):  # x [C,H,W], w [O,I,kh,kw], pads top,left,bottom,right
    xp = np.pad(x, ((0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    o, _, kh, kw = w.shape
    oh = (xp.shape[1] - kh) // stride + 1
    ow = (xp.shape[2] - kw) // stride + 1
    y = np.zeros((o, oh, ow), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, i, j] = np.tensordot(w, patch, axes=([1, 2, 3], [0, 1, 2])) + b
    return y


def pool_ref(x, k, stride, pads):
    xp = np.pad(x, ((0, 0), (pads[0], pads[2]), (pads[1], pads[3])), constant_values=-np.inf)
    oh = (xp.shape[1] - k) // stride + 1
    ow = (xp.shape[2] - k) // stride + 1
    y = np.zeros((x.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, i, j] = xp[:, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(1, 2))
    return y


def same_pool(root):
    w = rng.normal(0, 0.4, (4, 2, 3, 3)).astype(np.float32)
    b = rng.normal(0, 0.1, (4,)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["input", "w", "b"], ["c"], name="conv_same", auto_pad="SAME_UPPER",
                         strides=[2, 2], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[1, 1],
                         pads=[0, 0, 1, 1]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("MatMul", ["f", "m"], ["output"], name="matmul_no_bias"),
    ]
    m = rng.normal(0, 0.3, (4 * 4 * 3, 6)).astype(np.float32)
    graph = helper.make_graph(
        nodes, "same_pool",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 2, 7, 5])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 6])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"), numpy_helper.from_array(m, "m")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)], producer_name="export_onnx.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    x = rng.random((1, 2, 7, 5), dtype=np.float32)
    # SAME_UPPER, stride 2, k 3: out 4 x 3; total pad rows (4-1)*2+3-7 = 2 -> 1,1; cols (3-1)*2+3-5 = 2 -> 1,1
    c = np.maximum(conv_ref(x[0], w, b, 2, (1, 1, 1, 1)), 0)
    p = pool_ref(c, 2, 1, (0, 0, 1, 1))
    save_case(root, "same_pool", lambda path: onnx.save(model, path), [x], [p.reshape(1, -1) @ m])


def unsupported(root):
    w = rng.normal(0, 0.4, (4, 1, 3, 3)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["input", "w"], ["c"], name="grouped_conv", group=2, kernel_shape=[3, 3]),
        helper.make_node("LeakyRelu", ["c"], ["r"], name="leaky", alpha=0.1),
        helper.make_node("Flatten", ["r"], ["output"], name="flatten"),
    ]
    graph = helper.make_graph(
        nodes, "unsupported",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 2, 5, 5])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 36])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="export_onnx.py")
    onnx.checker.check_model(model)
    x = rng.random((2, 2, 5, 5), dtype=np.float32)
    y = np.zeros((2, 36), np.float32)  # never compared: the model must be refused
    save_case(root, "unsupported", lambda p: onnx.save(model, p), [x], [y])


def big(path):
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 768), torch.nn.ReLU(),
                                torch.nn.Linear(768, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    model.eval()
    torch.onnx.export(model, torch.rand(1, 1, 28, 28), path, opset_version=13, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        big(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) != 2:
        sys.exit("usage: export_onnx.py OUT_DIR | --big OUT.onnx")
    root = sys.argv[1]
    export_torch(root, "mlp", Mlp(), (1, 28, 28), 11)
    export_torch(root, "lenet", LeNet(), (1, 28, 28), 13)
    export_torch(root, "cnn", Cnn(), (3, 20, 24), 17)
    gemm_attrs(root)
    same_pool(root)
    unsupported(root)
