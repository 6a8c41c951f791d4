#!/usr/bin/python3
"""Reference outputs for the Keras importer's tests, computed independently of Lanes.

    /usr/bin/python3 bench/compare/keras_reference.py [FIXTURES_DIR] [OUT_DIR]

Needs only numpy and h5py (Debian: python3-numpy python3-h5py); no Keras, no TensorFlow.

1. For every real Keras file in FIXTURES_DIR (default ../shared/fixtures/keras), reads the config and the
   stored weights with h5py and runs the model in float64 numpy on seeded random inputs, writing
   OUT_DIR/reference/<file>.txt (the inputs as float32 and the outputs). The fixtures themselves are
   never copied.
2. Writes small Keras-layout files of its own into OUT_DIR/generated/ (legacy .h5 as Keras 2 and
   Keras 3's legacy writer lay it out, .keras zips in both the Keras 3 and Keras 2.14 layouts, and files
   that must be refused), with references for those that import. They cover what the real files do not:
   BatchNormalization, Reshape, strided and 'same' convolutions and pools, Keras 3's config dialect.

The forward pass below is written from Keras' documented semantics (TF 'same' padding, NHWC, Flatten
in H,W,C order), not from the Java code it checks.

OUT_DIR defaults to interchange/src/test/resources/lanes/interchange/keras. Every run writes the same
bytes except in keras2-mlp-latest-hdf5.h5, whose newest-layout object headers keep creation times
(same weights and reference, other timestamps). After a change here, rebuild the fuzz seeds with
lanes.fuzz.SeedCorpus (see its comment).
"""
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --------------------------------------------------------------------------------------------------
# An independent forward pass over a Keras config and its weights, in float64.

def act(name, x):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError("activation " + name)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, bias, strides, padding):
    # x: (h, w, c); kernel: (kh, kw, c, f)
    kh, kw, _, f = kernel.shape
    sh, sw = strides
    if padding == "same":
        (t, b), (l, r) = same_pads(x.shape[0], kh, sh), same_pads(x.shape[1], kw, sw)
        x = np.pad(x, ((t, b), (l, r), (0, 0)))
    oh = (x.shape[0] - kh) // sh + 1
    ow = (x.shape[1] - kw) // sw + 1
    y = np.zeros((oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            y[i, j, :] = np.tensordot(patch, kernel, axes=([0, 1, 2], [0, 1, 2]))
    return y + bias


def maxpool(x, pool, strides, padding):
    ph, pw = pool
    sh, sw = strides
    if padding == "same":
        (t, b), (l, r) = same_pads(x.shape[0], ph, sh), same_pads(x.shape[1], pw, sw)
        x = np.pad(x, ((t, b), (l, r), (0, 0)), constant_values=-np.inf)
    oh = (x.shape[0] - ph) // sh + 1
    ow = (x.shape[1] - pw) // sw + 1
    y = np.zeros((oh, ow, x.shape[2]))
    for i in range(oh):
        for j in range(ow):
            y[i, j, :] = x[i * sh:i * sh + ph, j * sw:j * sw + pw, :].max(axis=(0, 1))
    return y


def layer_list(config):
    """(class_name, config) in order; a Functional model's layers as listed (the files used are chains)."""
    layers = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
    return [(l["class_name"], l["config"]) for l in layers]


def input_shape(config):
    for cls, c in layer_list(config):
        for key in ("batch_input_shape", "batch_shape"):
            if key in c:
                return tuple(c[key][1:])
    raise ValueError("no input shape")


def forward(config, weights, x):
    """weights: layer name -> list of float64 arrays, in Keras' order."""
    for cls, c in layer_list(config):
        w = weights.get(c["name"], [])
        if cls in ("InputLayer", "Dropout"):
            continue
        if cls == "Flatten":
            x = x.reshape(-1)
        elif cls == "Reshape":
            x = x.reshape(c["target_shape"])
        elif cls == "Dense":
            x = act(c["activation"], x @ w[0] + (w[1] if c.get("use_bias", True) else 0))
        elif cls == "Activation":
            x = act(c["activation"], x)
        elif cls == "Conv2D":
            bias = w[1] if c.get("use_bias", True) else np.zeros(w[0].shape[3])
            x = act(c["activation"], conv2d(x, w[0], bias, pair(c["strides"]), c["padding"]))
        elif cls == "MaxPooling2D":
            pool = pair(c["pool_size"])
            strides = pair(c["strides"]) if c.get("strides") is not None else pool
            x = maxpool(x, pool, strides, c["padding"])
        elif cls == "BatchNormalization":
            i = 0
            gamma = beta = None
            if c.get("scale", True):
                gamma = w[i]; i += 1
            if c.get("center", True):
                beta = w[i]; i += 1
            mean, var = w[i], w[i + 1]
            x = (x - mean) / np.sqrt(var + c["epsilon"])
            if gamma is not None:
                x = x * gamma
            if beta is not None:
                x = x + beta
        else:
            raise ValueError("layer " + cls)
    return x


def h5_weights(f, config):
    """Legacy .h5: model_weights/<layer>/ following the weight_names attribute, in its order."""
    g = f["model_weights"]
    out = {}
    for cls, c in layer_list(config):
        name = c["name"]
        if name in g:
            names = [n.decode() if isinstance(n, bytes) else n for n in g[name].attrs.get("weight_names", [])]
            out[name] = [np.asarray(g[name][n], dtype=np.float64) for n in names]
    return out


def snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def archive_paths(config):
    """Where a .keras archive keeps each layer's variables: its class name in snake case, numbered in
    the order the model lists its layers (Keras' saving_lib does not use layer names, which vary)."""
    used, paths = {}, {}
    for cls, c in layer_list(config):
        name = snake_case(cls)
        if name in used:
            used[name] += 1
            paths[c["name"]] = "%s_%d" % (name, used[name])
        else:
            used[name] = 0
            paths[c["name"]] = name
    return paths


def keras_zip_weights(path, config):
    z = zipfile.ZipFile(path)
    f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    top = "layers" if "layers" in f else "_layer_checkpoint_dependencies"
    out = {}
    paths = archive_paths(config)
    for cls, c in layer_list(config):
        name = c["name"]
        if paths[name] in f[top]:
            v = f[top][paths[name]]["vars"]
            out[name] = [np.asarray(v[str(i)], dtype=np.float64) for i in range(len(v))]
    return out, json.loads(z.read("metadata.json"))


def load(path):
    if path.endswith(".keras"):
        config = json.loads(zipfile.ZipFile(path).read("config.json"))
        weights, _ = keras_zip_weights(path, config)
    else:
        with h5py.File(path, "r") as f:
            mc = f.attrs["model_config"]
            config = json.loads(mc.decode() if isinstance(mc, bytes) else mc)
            weights = h5_weights(f, config)
    return config, weights


def write_reference(path, source, inputs, outputs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write("# %s: inputs (float32) and float64 outputs computed by bench/compare/keras_reference.py\n" % source)
        out.write("inputs %d %d\n" % inputs.shape)
        for row in inputs:
            out.write(" ".join("%.9g" % v for v in row) + "\n")
        out.write("outputs %d %d\n" % outputs.shape)
        for row in outputs:
            out.write(" ".join("%.17g" % v for v in row) + "\n")


def reference(path, out_path, count, scale, seed):
    config, weights = load(path)
    shape = input_shape(config)
    rng = np.random.default_rng(seed)
    xs = (rng.random((count,) + shape) * scale).astype(np.float32)
    ys = np.stack([forward(config, weights, x.astype(np.float64)).reshape(-1) for x in xs])
    write_reference(out_path, os.path.basename(path), xs.reshape(count, -1), ys)


# --------------------------------------------------------------------------------------------------
# Generated files in Keras' layouts.

def dense(name, units, activation="linear", **extra):
    c = {"name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
         "use_bias": True}
    c.update(extra)
    return {"class_name": "Dense", "config": c}


def conv(name, filters, kernel, strides, padding, activation, **extra):
    c = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": list(kernel),
         "strides": list(strides), "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
         "groups": 1, "activation": activation, "use_bias": True}
    c.update(extra)
    return {"class_name": "Conv2D", "config": c}


def simple(cls, name, **extra):
    c = {"name": name, "trainable": True, "dtype": "float32"}
    c.update(extra)
    return {"class_name": cls, "config": c}


def weights_for(rng, layers, shape):
    """Random weights for a Sequential layer list, shapes propagated from `shape` (NHWC without batch)."""
    out = {}
    for l in layers:
        cls, c = l["class_name"], l["config"]
        if cls == "Dense":
            out[c["name"]] = [rng.normal(0, 0.5, (shape[-1], c["units"])), rng.normal(0, 0.1, c["units"])]
            shape = (c["units"],)
        elif cls == "Conv2D":
            kh, kw = c["kernel_size"]
            out[c["name"]] = [rng.normal(0, 0.5, (kh, kw, shape[2], c["filters"])), rng.normal(0, 0.1, c["filters"])]
            x = conv2d(np.zeros(shape), out[c["name"]][0], out[c["name"]][1], pair(c["strides"]), c["padding"])
            shape = x.shape
        elif cls == "MaxPooling2D":
            pool = pair(c["pool_size"])
            shape = maxpool(np.zeros(shape), pool, pair(c["strides"] or pool), c["padding"]).shape
        elif cls == "BatchNormalization":
            n = shape[-1]
            ws = []
            if c.get("scale", True):
                ws.append(rng.uniform(0.5, 1.5, n))
            if c.get("center", True):
                ws.append(rng.normal(0, 0.2, n))
            ws += [rng.normal(0, 0.3, n), rng.uniform(0.2, 2.0, n)]
            out[c["name"]] = ws
        elif cls == "Flatten":
            shape = (int(np.prod(shape)),)
        elif cls == "Reshape":
            shape = tuple(c["target_shape"])
    return {k: [np.asarray(a, dtype=np.float32) for a in v] for k, v in out.items()}


ROLES = {"Dense": ["kernel", "bias"], "Conv2D": ["kernel", "bias"]}


def roles(layer):
    cls, c = layer["class_name"], layer["config"]
    if cls == "BatchNormalization":
        return ([("gamma")] if c.get("scale", True) else []) + (["beta"] if c.get("center", True) else []) \
            + ["moving_mean", "moving_variance"]
    return ROLES.get(cls, [])


def group(parent, name):
    """parent.create_group(name) without modification times (HDF5's newest layout stores them), so that
    the script writes the same bytes every time."""
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
    return parent[name]


def write_legacy_h5(path, config, layers, weights, keras_version, names, libver="earliest"):
    """names(layer_name, role) -> the weight name Keras records (and the dataset path under the layer's group)."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(*{"earliest": (h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST),
                             "latest": (h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)}[libver])
    with h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)) as f:
        f.attrs["keras_version"] = keras_version.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        g = group(f, "model_weights")
        layer_names = [l["config"]["name"] for l in layers]
        g.attrs["layer_names"] = [n.encode() for n in layer_names]
        g.attrs["keras_version"] = keras_version.encode()
        g.attrs["backend"] = b"tensorflow"
        for l in layers:
            name = l["config"]["name"]
            lg = group(g, name)
            ws = weights.get(name, [])
            wnames = [names(name, r) for r in roles(l)] if ws else []
            if wnames:
                lg.attrs["weight_names"] = [n.encode() for n in wnames]
            else:
                lg.attrs["weight_names"] = np.zeros(0)
            for n, a in zip(wnames, ws):
                lg.create_dataset(n, data=a, track_times=False)


def write_keras_zip(path, config, layers, weights, keras_version, top, libver="earliest"):
    buf = io.BytesIO()
    paths = archive_paths(config)
    with h5py.File(buf, "w", libver=libver) as f:
        g = f.create_group(top)
        for l in layers:
            name = l["config"]["name"]
            if l["class_name"] == "InputLayer":
                continue
            v = g.create_group(paths[name]).create_group("vars")
            for i, a in enumerate(weights.get(name, [])):
                v.create_dataset(str(i), data=a, track_times=False)
        f.create_group("vars")
    with zipfile.ZipFile(path, "w") as z:
        # A fixed timestamp per member, so that the script writes the same bytes every time.
        def member(name):
            return zipfile.ZipInfo(name, date_time=(2025, 6, 1, 10, 20, 30))
        z.writestr(member("metadata.json"), json.dumps({"keras_version": keras_version, "date_saved": "2025-06-01@10:20:30"}))
        z.writestr(member("config.json"), json.dumps(config))
        z.writestr(member("model.weights.h5"), buf.getvalue())


def sequential(layers, name="sequential"):
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def keras3(layers):
    """Keras 3's dialect: module/registered_name around every layer, dtype as a DTypePolicy object."""
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    out = []
    for l in layers:
        c = dict(l["config"])
        if "dtype" in c and l["class_name"] != "InputLayer":
            c["dtype"] = policy
        out.append({"module": "keras.layers", "class_name": l["class_name"], "config": c, "registered_name": None})
    return out


def functional3(layers):
    """A Keras 3 Functional config: each layer's inbound_nodes in the keras_history form."""
    out = []
    prev = None
    for l in keras3(layers):
        l = dict(l)
        l["name"] = l["config"]["name"]
        if prev is None:
            l["inbound_nodes"] = []
        else:
            l["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
                "shape": [None, 1], "dtype": "float32", "keras_history": [prev, 0, 0]}}], "kwargs": {}}]
        prev = l["name"]
        out.append(l)
    return {"module": "keras", "class_name": "Functional", "config": {
        "name": "functional", "trainable": True, "layers": out,
        "input_layers": [[out[0]["name"], 0, 0]], "output_layers": [[prev, 0, 0]]}, "registered_name": "Functional"}


def functional2(layers, extra_inbound=None):
    """A Keras 2 Functional ("Model") config; extra_inbound adds inputs to a layer (to make a branch)."""
    out = []
    prev = None
    for l in layers:
        l = dict(l)
        l["name"] = l["config"]["name"]
        ins = [] if prev is None else [[prev, 0, 0, {}]]
        if extra_inbound and l["name"] in extra_inbound:
            ins = ins + [[n, 0, 0, {}] for n in extra_inbound[l["name"]]]
        l["inbound_nodes"] = [] if prev is None else [ins]
        prev = l["name"]
        out.append(l)
    return {"class_name": "Functional", "config": {"name": "model", "layers": out,
                                                 "input_layers": [[out[0]["name"], 0, 0]],
                                                 "output_layers": [[prev, 0, 0]]}}


def generated(out_dir):
    rng = np.random.default_rng(20261204)
    gen = os.path.join(out_dir, "generated")
    ref = os.path.join(out_dir, "reference")
    os.makedirs(gen, exist_ok=True)
    made = []

    # 1. Keras 2 legacy .h5, Sequential: Reshape, strided 'same' conv, BatchNormalization, 'same' pool,
    #    Flatten, Dense tanh, Dropout, Dense + a separate softmax Activation.
    layers = [
        simple("InputLayer", "reshape_input", batch_input_shape=[None, 60], sparse=False, ragged=False),
        simple("Reshape", "reshape", batch_input_shape=[None, 60], target_shape=[6, 5, 2]),
        conv("conv2d", 3, (3, 2), (2, 2), "same", "relu"),
        simple("BatchNormalization", "batch_normalization", axis=[3], momentum=0.99, epsilon=0.001, center=True,
               scale=True),
        simple("MaxPooling2D", "max_pooling2d", pool_size=[2, 2], padding="same", strides=[1, 1],
               data_format="channels_last"),
        simple("Flatten", "flatten", data_format="channels_last"),
        dense("dense", 5, "tanh"),
        simple("Dropout", "dropout", rate=0.5, noise_shape=None, seed=None),
        dense("dense_1", 4, "linear"),
        simple("Activation", "activation", activation="softmax"),
    ]
    w = weights_for(rng, layers, (60,))
    made.append(("keras2-cnn-bn.h5", sequential(layers), layers, w, "legacy", "2.4.0",
                 lambda n, r: "%s/%s:0" % (n, r)))

    # 2. Keras 3's legacy .h5 writer: Keras 3 config dialect (batch_shape), weight names are variable
    #    paths, BatchNormalization without center, sigmoid Dense and a tanh Activation.
    layers = [
        simple("InputLayer", "input_layer", batch_shape=[None, 7], sparse=False, ragged=False),
        dense("dense", 6, "sigmoid"),
        simple("BatchNormalization", "batch_normalization", axis=-1, momentum=0.99, epsilon=0.01, center=False,
               scale=True),
        simple("Activation", "activation", activation="tanh"),
        dense("dense_1", 3, "relu"),
    ]
    w = weights_for(rng, layers, (7,))
    made.append(("keras3-legacy-mlp-bn.h5", sequential(keras3(layers)), layers, w, "legacy", "3.4.1",
                 lambda n, r: "sequential/%s/%s" % (n, r)))

    # 3. Keras 3 .keras, Functional: valid conv, strided valid pool, Flatten, Dense softmax.
    #    Its layers are named by hand, in an order unlike Keras' own numbering, so the archive's
    #    class-based paths (conv2d, conv2d_1, dense) differ from the names.
    layers = [
        simple("InputLayer", "pixels", batch_shape=[None, 9, 7, 3], sparse=False, ragged=False),
        conv("conv2d_1", 4, (3, 3), (1, 1), "valid", "relu"),
        conv("conv2d", 3, (2, 2), (1, 1), "same", "linear"),
        simple("MaxPooling2D", "pool", pool_size=[3, 2], padding="valid", strides=[2, 2],
               data_format="channels_last"),
        simple("Flatten", "flatten", data_format="channels_last"),
        dense("classes", 5, "softmax"),
    ]
    w = weights_for(rng, layers, (9, 7, 3))
    made.append(("keras3-functional-cnn.keras", functional3(layers), layers, w, "layers", "3.10.0", None))

    # 4. Keras 2.14 .keras (_layer_checkpoint_dependencies), Sequential: Conv2D 'same' stride 1 without
    #    an InputLayer (the shape is on the first layer), BatchNormalization without scale, Dense.
    layers = [
        conv("conv2d", 2, (2, 2), (1, 1), "same", "linear", batch_input_shape=[None, 4, 4, 1]),
        simple("BatchNormalization", "batch_normalization", axis=[3], momentum=0.99, epsilon=0.001, center=True,
               scale=False),
        simple("Activation", "activation", activation="relu"),
        simple("Flatten", "flatten", data_format="channels_last"),
        dense("dense", 3, "sigmoid"),
    ]
    w = weights_for(rng, layers, (4, 4, 1))
    made.append(("keras214-cnn-bn.keras", sequential(layers), layers, w, "_layer_checkpoint_dependencies", "2.14.0",
                 None))

    # 5. Keras 2.1's legacy .h5: a Sequential config that is the bare list of layers, the input shape on
    #    the first Dense.
    layers = [dense("dense_1", 4, "relu", batch_input_shape=[None, 5]), dense("dense_2", 3, "softmax")]
    w = weights_for(rng, layers, (5,))
    made.append(("keras2.1-list-config.h5", {"class_name": "Sequential", "config": layers}, layers, w, "legacy",
                 "2.1.6", lambda n, r: "%s/%s:0" % (n, r)))

    for name, config, layers, w, kind, version, names in made:
        path = os.path.join(gen, name)
        if kind == "legacy":
            write_legacy_h5(path, config, layers, w, version, names)
        else:
            write_keras_zip(path, config, layers, w, version, kind)
        reference(path, os.path.join(ref, name + ".txt"), 3, 1.0, 7)

    # Files that must be refused (weights present so that only the config is at fault).
    base = [simple("InputLayer", "input_1", batch_input_shape=[None, 4], sparse=False, ragged=False),
            dense("dense", 4, "relu"), dense("dense_1", 4, "relu"), dense("dense_2", 2, "softmax")]
    w = weights_for(rng, base, (4,))
    branch = [base[0], base[1], base[2], simple("Add", "add"), base[3]]
    write_legacy_h5(os.path.join(gen, "refused-branching.h5"),
                    functional2(branch, extra_inbound={"add": ["dense"]}), branch, w, "2.4.0",
                    lambda n, r: "%s/%s:0" % (n, r))
    odd = [simple("InputLayer", "input_1", batch_input_shape=[None, 8, 8, 1], sparse=False, ragged=False),
           simple("Lambda", "lambda", function=["4wEAAAAAAAAA", None, None], function_type="lambda"),
           conv("conv2d", 2, (3, 3), (1, 1), "valid", "relu", dilation_rate=[2, 2]),
           conv("conv2d_1", 2, (3, 3), (1, 1), "valid", "elu", data_format="channels_first"),
           simple("LSTM", "lstm", units=4),
           simple("Flatten", "flatten", data_format="channels_last"),
           dense("dense", 2, "softmax")]
    write_legacy_h5(os.path.join(gen, "refused-unsupported.h5"), sequential(odd), odd, {}, "2.4.0",
                    lambda n, r: "%s/%s:0" % (n, r))
    # Weights that do not match the config: the config says 3 units, the weights hold 2.
    small = [simple("InputLayer", "input_1", batch_input_shape=[None, 4], sparse=False, ragged=False),
             dense("dense", 2, "relu")]
    w = weights_for(rng, small, (4,))
    small[1] = dense("dense", 3, "relu")
    write_legacy_h5(os.path.join(gen, "refused-shape-mismatch.h5"), sequential(small), small, w, "2.4.0",
                    lambda n, r: "%s/%s:0" % (n, r))
    # Softmax inside the network (Keras runs it; the engine runs softmax only as the output).
    inner = [simple("InputLayer", "input_1", batch_input_shape=[None, 4], sparse=False, ragged=False),
             dense("dense", 3, "softmax"), dense("dense_1", 2, "linear")]
    write_legacy_h5(os.path.join(gen, "refused-softmax-inside.h5"), sequential(inner), inner,
                    weights_for(rng, inner, (4,)), "2.4.0", lambda n, r: "%s/%s:0" % (n, r))
    # Keras 1: its layer configs use other keys (output_dim, nb_filter, border_mode).
    old = [{"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 2, "input_dim": 3,
                                              "batch_input_shape": [None, 3], "activation": "softmax"}}]
    write_legacy_h5(os.path.join(gen, "refused-keras1.h5"), {"class_name": "Sequential", "config": old}, old,
                    {"dense_1": [np.ones((3, 2), np.float32), np.zeros(2, np.float32)]}, "1.2.2",
                    lambda n, r: "%s_%s" % (n, {"kernel": "W", "bias": "b"}[r]))
    # save_weights() output: HDF5 weights without a model config.
    with h5py.File(os.path.join(gen, "refused-weights-only.h5"), "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        f.create_group("dense").attrs["weight_names"] = [b"dense/kernel:0"]
        f["dense"].create_dataset("dense/kernel:0", data=np.ones((2, 2), np.float32), track_times=False)

    # A small file in HDF5's newest layout (version 3 superblock, compact groups), as h5py writes with
    # libver='latest': a different path through the HDF5 reader.
    layers = [simple("InputLayer", "input_1", batch_input_shape=[None, 3], sparse=False, ragged=False),
              dense("dense", 2, "softmax")]
    w = weights_for(rng, layers, (3,))
    path = os.path.join(gen, "keras2-mlp-latest-hdf5.h5")
    write_legacy_h5(path, sequential(layers), layers, w, "2.4.0", lambda n, r: "%s/%s:0" % (n, r), libver="latest")
    reference(path, os.path.join(ref, "keras2-mlp-latest-hdf5.h5.txt"), 3, 1.0, 7)


def main():
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "fixtures", "keras")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "interchange/src/test/resources/lanes/interchange/keras")
    # Real files: three seeded inputs each, in the range the model was trained on.
    for name, scale in [("keras3.10-mlp-dropout.keras", 1.0), ("keras2.14-cnn.keras", 16.0),
                        ("keras2.4-autoencoder-mlp.h5", 1.0), ("keras2.4-cnn-same-dropout.h5", 255.0),
                        ("tfkeras2.2-mlp-sigmoid-dropout.h5", 1.0), ("keras2.3-mlp-softmax.h5", 1.0)]:
        path = os.path.join(fixtures, name)
        if os.path.exists(path):
            reference(path, os.path.join(out_dir, "reference", name + ".txt"), 3, scale, 1)
        else:
            print("skipped (absent):", path)
    generated(out_dir)
    # The Keras 2.3 file's own predictions agree with this forward pass (a check on the check).
    path = os.path.join(fixtures, "keras2.3-mlp-softmax.h5")
    if os.path.exists(path):
        config, weights = load(path)
        with h5py.File(os.path.join(fixtures, "keras2.3-mlp-softmax.inputs_and_outputs.h5"), "r") as f:
            xs, ps = f["inputs/dense_1_input"][()], f["predictions/activation_1"][()]
        mine = np.stack([forward(config, weights, x.astype(np.float64)) for x in xs])
        print("keras2.3 predictions vs this forward pass: max |diff| = %.3g" % np.abs(mine - ps).max())


if __name__ == "__main__":
    main()
