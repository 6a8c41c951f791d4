package lanes.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;

/**
 * A loaded network, ready to predict: immutable and thread-safe.
 *
 * <p>Threading and allocation contract:
 * <ul>
 *   <li>{@link #predict(float[])} and {@link #predict(float[], float[])} may be called from any number
 *       of threads at once; each thread gets its own scratch on first use (shared by all models, so a
 *       dropped model can be collected), after which
 *       calls allocate nothing and take no lock.</li>
 *   <li>{@link #newPredictor()} gives a predictor to own (one per thread), skipping the thread-local lookup.</li>
 *   <li>{@link #predictBatch} splits images over a {@link BatchScheduler}; it allocates per-thread
 *       scratch once per thread and reuses it.</li>
 * </ul>
 * Inputs are always the Lanes convention: values in [0, 1] (for MNIST 784 pixels, see
 * {@code lanes.preprocess.ImagePreprocessor}), an image flat in NHWC order (row by row, channel fastest), {@link #inputSize()}
 * values of {@link #inputShape()}. A network trained on another range ({@link #inputRange()}, such as
 * raw 0–255 pixels) gets its inputs mapped by the model itself.
 *
 * <p>The network runs as one forward pass over the ops {@link ForwardPlan} compiles from its layers when
 * the model is built: no-op layers (Flatten, Reshape, Dropout kept as a linear Activation) cost nothing,
 * and a BatchNorm after a Conv2D or Dense is folded into it once, in the model's own copy.
 */
public final class Model {

    /**
     * Classpath location of the default model shipped in the engine jar: the accurate MNIST model, a small
     * CNN ({@link #loadDefault()}, bundled name {@code mnist}).
     */
    public static final String DEFAULT_RESOURCE = "/lanes/engine/mnist.lnw";

    /**
     * Classpath location of the fast MNIST model shipped in the engine jar: the tutorial's MLP, for the
     * microsecond path (bundled name {@code mnist-fast}).
     */
    public static final String FAST_RESOURCE = "/lanes/engine/mnist-fast.lnw";

    /** The names of the models inside the engine jar, for {@link #loadBundled} and the tools' {@code --model}. */
    public static final java.util.List<String> BUNDLED = java.util.List.of("mnist", "mnist-fast");

    final int inputSize, outputs, maxWidth;
    /** The compiled forward pass: one path over these ops for every kind of network. */
    final Op[] ops;
    private final boolean softmaxOutput;
    final Kernels kernels;
    private final Weights weights;
    private final String source;
    // Scratch (activations and the kernels' workspace) comes from Scratch.acquire(): per platform thread,
    // pooled for virtual threads, shared by every model, so a dropped model (a service reloading its
    // weights) leaves nothing behind on the threads that used it.
    private final int batchRows; // rows per kernel call in predictBatch: BATCH_ROWS, fewer for very wide layers
    /** Whether every input value is checked to lie in [0, 1] before it runs ({@link #withInputCheck()}). */
    private final boolean checkInputs;
    /** Whether the Dense kernels are rounded to bf16 ({@link #withBf16Weights()}). */
    private final boolean bf16;

    private Model(Weights weights, String source, Kernels kernels) {
        this(weights, source, kernels, false);
    }

    private Model(Weights weights, String source, Kernels kernels, boolean bf16) {
        this.weights = weights;
        this.source = source;
        this.kernels = kernels;
        this.bf16 = bf16;
        ForwardPlan plan = ForwardPlan.of(weights, bf16);
        this.ops = plan.ops;
        this.softmaxOutput = plan.softmaxOutput;
        this.inputSize = weights.inputSize();
        this.outputs = weights.outputSize();
        this.maxWidth = plan.maxWidth;
        this.batchRows = (int) Math.max(1, Math.min(BATCH_ROWS, BATCH_SCRATCH_FLOATS / maxWidth));
        this.checkInputs = false;
    }

    /** The same compiled network (shared: ops are immutable), with the input check on or off. */
    private Model(Model m, boolean checkInputs) {
        this.weights = m.weights;
        this.source = m.source;
        this.kernels = m.kernels;
        this.ops = m.ops;
        this.softmaxOutput = m.softmaxOutput;
        this.inputSize = m.inputSize;
        this.outputs = m.outputs;
        this.maxWidth = m.maxWidth;
        this.batchRows = m.batchRows;
        this.bf16 = m.bf16;
        this.checkInputs = checkInputs;
    }

    /**
     * This network with every Dense kernel rounded to bfloat16 (nearest, ties to even, after any folding;
     * biases, convolutions and all arithmetic stay float32): an opt-in for the microsecond path. A single
     * image then reads the wide layers' weights packed as bf16, half the bytes of float, which is what bounds
     * a dense layer on one image (the fast MLP: p50 1.45 µs in float32, see docs/benchmarks.md for bf16).
     *
     * <p>Not bit-identical to this model: the answers are those of the rounded weights. They are
     * bit-identical among themselves, as every model's are: scalar and SIMD, any thread count, predict and
     * predictBatch. The fast MLP keeps its accuracy on the 2,000-digit test split (0.9755), and its labels
     * agree with float32's on 9,999 of all 10,000 digits (docs/benchmarks.md). The weights ({@link #weights()}) stay the float32 ones; warmed as
     * {@link #load(Path)} warms. Returns this model when it already uses bf16.
     *
     * @throws IllegalArgumentException if a weight rounds to infinity (a magnitude above 3.39e38)
     */
    public Model withBf16Weights() {
        if (bf16) return this;
        Model m = new Model(weights, source, kernels, true);
        if (checkInputs) m = new Model(m, true);
        return warmed(m);
    }

    /** Whether this model's Dense kernels are rounded to bf16 ({@link #withBf16Weights()}). */
    public boolean bf16Weights() {
        return bf16;
    }

    /**
     * This model with the input check on: every predict and predictBatch first checks that each input
     * value lies in [0, 1] (the Lanes input convention, whatever {@link #inputRange()} the network was
     * trained on) and throws an {@link IllegalArgumentException} naming the first offending index and
     * value (and the image, in a batch) otherwise: pixels left at 0–255, inputs of −1, NaN. It costs one
     * pass over the input (about 784 comparisons for MNIST) and allocates nothing. Off by default: a
     * service that validates at its edge pays nothing. Shares the compiled network with this model.
     */
    public Model withInputCheck() {
        return checkInputs ? this : new Model(this, true);
    }

    /** Whether this model checks its inputs' range ({@link #withInputCheck()}). */
    public boolean checksInputs() {
        return checkInputs;
    }

    /**
     * Reads and validates a weight file.
     *
     * @throws WeightFileException if the file cannot be read, is not a valid weight file, or holds a network
     *                             this engine cannot run (softmax other than as a flat output, a BatchNorm
     *                             that divides by zero)
     */
    public static Model load(Path file) throws WeightFileException {
        return warmed(recorded(() -> loaded(WeightFile.read(file), file.toString())));
    }

    /**
     * Reads and validates a weight file from a stream; {@code sourceName} names it in errors.
     *
     * @throws WeightFileException as {@link #load(Path)}
     */
    public static Model load(InputStream in, String sourceName) throws WeightFileException {
        return warmed(recorded(() -> loaded(WeightFile.read(in, sourceName), sourceName)));
    }

    /**
     * Whether {@link #load(Path)}, {@link #load(InputStream, String)}, {@link #loadResource} and
     * {@link #loadDefault()} run {@link #warmUp()} before returning: yes unless the system property
     * {@code lanes.warmUp} is {@code false} (a one-shot command line tool, which predicts once, sets it).
     */
    public static boolean warmsOnLoad() {
        return !"false".equalsIgnoreCase(System.getProperty("lanes.warmUp", "true"));
    }

    private static Model warmed(Model m) {
        return warmsOnLoad() ? m.warmUp() : m;
    }

    /** Network kinds (kernels, ops and activations) already warmed in this JVM: compiled code serves them all. */
    private static final java.util.Set<String> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * Warm-up's bound: at most this long (-Dlanes.warmUpMillis, default 900: with reading and checking the
     * file, load and warm-up stay under a second), however large the model or slow the machine.
     */
    private static final long WARM_UP_NANOS = Math.max(0, Long.getLong("lanes.warmUpMillis", 900)) * 1_000_000L;
    /** Predictions warm-up runs (C2 compiles a kernel after ~10,000 calls or loop iterations). */
    private static final int WARM_UP_CALLS = 20_000;
    /** Batches of {@code batchRows} images warm-up runs after the single predictions, time allowing. */
    private static final int WARM_UP_BATCHES = 160;

    /**
     * Runs this model's own shapes through {@code predict} (with and without probabilities, on the
     * thread's scratch and on a {@link Predictor}) and {@code predictBatch} on seeded dummy inputs (from all zeros to all
     * non-zero, see {@link #warmUpInputs}), until the JIT has compiled the kernels they use:
     * without it the first call takes ~100 ms and the next thousand 100–250 times the steady state. At
     * most {@value #WARM_UP_CALLS} single predictions, then batches, within 0.9 s ({@code -Dlanes.warmUpMillis}); once a network of the same kinds of layers
     * has been warmed in this JVM (a hot reload), it returns at once. Returns this model.
     * {@link #load(Path)} runs it unless {@code -Dlanes.warmUp=false}; {@link #of} never does.
     */
    public Model warmUp() {
        StringBuilder key = new StringBuilder(kernels.name());
        for (Op op : ops) key.append(' ').append(op.getClass().getSimpleName()).append(
                op instanceof Op.Dense d ? d.activation + (d.packed != null ? "bf16" : "") : op instanceof Op.Conv c ? c.activation
                        : op instanceof Op.Act a ? a.activation : "");
        if (!WARMED.add(key.toString())) return this;
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        float[][] xs = warmUpInputs(inputSize);
        float[] p = new float[outputs];
        int rows = batchRows; // one chunk: the batch path runs on this thread, starting no scheduler threads
        float[] batch = new float[Math.multiplyExact(rows, inputSize)], batchP = new float[rows * outputs];
        for (int r = 0; r < rows; r++) System.arraycopy(xs[r % xs.length], 0, batch, r * inputSize, inputSize);
        int[] labels = new int[rows];
        Predictor own = newPredictor();
        // Quietly: a recording shows the application's predictions, not the warm-up's 20,000.
        warming = true;
        try (BatchScheduler inline = new BatchScheduler(1)) {
            // Single images first, the latency-critical path: batches interleaved with them ate most of
            // the second (a 64-row batch runs for milliseconds before C2 compiles it) and left calls
            // 1–2,000 after load at 3 times the steady state. An input whose outputs overflow (a network
            // that cannot take a dense one) is skipped, not the end of warm-up.
            for (int i = 0; i < WARM_UP_CALLS && System.nanoTime() < deadline; i++) warmOne(i, xs[(i >>> 2) % xs.length], p, own);
            // Batches until a tenth of the budget is left, for the last single images: the application's
            // first call then finds their weights and branches warm rather than the batches'.
            long batchesEnd = deadline - WARM_UP_NANOS / 10;
            for (int b = 0; b < WARM_UP_BATCHES && System.nanoTime() < batchesEnd; b++) {
                try {
                    predictBatch(batch, rows, labels, (b & 1) == 0 ? batchP : null, inline);
                } catch (IllegalArgumentException overflow) {
                    break; // the batch repeats the inputs: it would overflow again
                }
            }
            for (int i = 0; i < 64 && System.nanoTime() < deadline; i++) warmOne(i, xs[i % xs.length], p, own);
        } finally {
            warming = false;
        }
        return this;
    }

    /** One warm-up prediction, the four ways an application predicts in turn; one that overflows is skipped. */
    private void warmOne(int i, float[] x, float[] p, Predictor own) {
        try {
            switch (i & 3) {
                case 0 -> predict(x);
                case 1 -> predict(x, p);
                case 2 -> own.predict(x);
                default -> own.predict(x, p);
            }
        } catch (IllegalArgumentException overflow) {
            // warmed as far as this input goes
        }
    }

    /**
     * Warm-up's inputs, seeded: all zeros, all non-zero, and random sparsities between. C2 leaves out the
     * branches its profile never saw, so a regular input (every fourth pixel, as warm-up once used) left the
     * zero-skipping kernel compiled for even counts of non-zeros per 64 pixels only: the first real digit
     * threw that code away, and its first thousand calls ran at 100 times the steady state.
     */
    static float[][] warmUpInputs(int size) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(size);
        double[] density = {0, 1, 0.05, 0.2, 0.35, 0.5, 0.8, 0.95};
        float[][] xs = new float[density.length][size];
        for (int k = 0; k < density.length; k++) {
            for (int i = 0; i < size; i++) xs[k][i] = r.nextDouble() < density[k] ? (r.nextInt(255) + 1) / 255f : 0f;
        }
        return xs;
    }

    /**
     * True while {@link #warmUp()} runs: its predictions are not the application's, and are not recorded.
     * A plain field (no thread-local: a virtual thread's first lookup would allocate its map).
     */
    private boolean warming;

    /** Whether a prediction emits a JFR event: a recording runs and this is not the warm-up. */
    boolean recording() {
        return JfrSupport.active() && !warming;
    }

    /** One way of loading a model; it fails only as a weight file does. */
    @FunctionalInterface
    interface Loader {
        Model load() throws WeightFileException;
    }

    /** Runs {@code loader}, inside a lanes.ModelLoad event when JFR runs. */
    private static Model recorded(Loader loader) throws WeightFileException {
        return JfrSupport.active() ? EngineEvents.load(loader) : loader.load();
    }

    /** A model over weights read from {@code source}: a network the engine cannot run is the file's problem. */
    private static Model loaded(Weights weights, String source) throws WeightFileException {
        try {
            return new Model(weights, source, KernelsProvider.get());
        } catch (IllegalArgumentException e) {
            // The format allows any activation on any layer; the engine runs softmax only as the output.
            throw new WeightFileException(source, "a network this engine cannot run: " + e.getMessage(), e);
        }
    }

    /** Loads a weight file from the classpath (resolved against this class, so use an absolute path). */
    public static Model loadResource(String resource) throws IOException {
        java.util.Objects.requireNonNull(resource, "resource");
        try (InputStream in = Model.class.getResourceAsStream(resource)) {
            if (in == null) throw new WeightFileException("classpath:" + resource, "no such resource on the classpath");
            return load(in, "classpath:" + resource);
        }
    }

    /**
     * The accurate MNIST model shipped inside the engine jar (a small CNN): {@code loadBundled("mnist")}.
     *
     * @throws java.io.UncheckedIOException if the resource cannot be read (a damaged jar): it is part of
     *                                      the engine, not an input the caller could fix
     */
    public static Model loadDefault() {
        return loadBundled("mnist");
    }

    /**
     * A model shipped inside the engine jar, by name: {@code mnist}, the accurate CNN (the default), or
     * {@code mnist-fast}, the MLP of the microsecond path. docs/benchmarks.md and the README give each
     * one's accuracy and latency.
     *
     * @throws IllegalArgumentException     if no bundled model has that name (the message lists them)
     * @throws java.io.UncheckedIOException if the resource cannot be read (a damaged jar)
     */
    public static Model loadBundled(String name) {
        java.util.Objects.requireNonNull(name, "name");
        String resource = switch (name) {
            case "mnist" -> DEFAULT_RESOURCE;
            case "mnist-fast" -> FAST_RESOURCE;
            default -> throw new IllegalArgumentException("no bundled model named '" + name + "': the engine jar has "
                    + String.join(" and ", BUNDLED));
        };
        try {
            return loadResource(resource);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the engine's own model " + resource + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A model over weights already in memory, with the given kernels (tests compare scalar and SIMD).
     *
     * @throws IllegalArgumentException if the network uses softmax other than as a flat output, or folding
     *                                  a BatchNorm or the input range overflows float
     */
    public static Model of(Weights weights, Kernels kernels) {
        java.util.Objects.requireNonNull(weights, "weights");
        java.util.Objects.requireNonNull(kernels, "kernels");
        return new Model(weights, "memory", kernels);
    }

    public int inputSize() { return inputSize; }

    /** The shape of one input, NHWC (a vector for an MLP). */
    public Shape inputShape() { return weights.inputShape(); }

    /** The range the network was trained on; inputs in [0, 1] are mapped to it by the model itself. */
    public InputRange inputRange() { return weights.inputRange(); }

    /** Class names, one per output, or empty when the file has none. */
    public java.util.List<String> labels() { return weights.labels(); }

    /** Where the network came from (trained by Lanes, or imported from ONNX or Keras). */
    public Provenance provenance() { return weights.provenance(); }

    /** Number of outputs (classes). */
    public int outputs() { return outputs; }

    /** Whether {@code predict(input, probabilities)} writes probabilities (the output is a softmax). */
    public boolean outputsProbabilities() { return softmaxOutput; }

    public Metadata metadata() { return weights.metadata(); }

    public Weights weights() { return weights; }

    /** Where the model was loaded from. */
    public String source() { return source; }

    /** The name of the kernels this model runs on (such as the Vector API's or the scalar ones). */
    public String kernels() { return kernels.name(); }

    /** A layer in a few words: its type and what sizes it. */
    private static String summary(Layer l) {
        return switch (l) {
            case DenseWeights d -> "Dense " + d.units() + " " + d.activation().name().toLowerCase(java.util.Locale.ROOT);
            case Conv2D c -> "Conv2D " + c.kernelH() + "×" + c.kernelW() + "×" + c.filters() + " "
                    + c.activation().name().toLowerCase(java.util.Locale.ROOT);
            case ActivationLayer a -> a.activation().name().toLowerCase(java.util.Locale.ROOT);
            default -> Weights.name(l);
        };
    }

    /**
     * One line naming what a service author asks first: source, input shape and range, the layers,
     * outputs and labels, and the kernels in use.
     */
    @Override
    public String toString() {
        StringBuilder layers = new StringBuilder();
        for (Layer l : weights.layers()) layers.append(layers.isEmpty() ? "" : ", ").append(summary(l));
        java.util.List<String> labels = weights.labels();
        String shownLabels = labels.isEmpty() ? "none" : labels.size() <= 12 ? String.join(", ", labels)
                : String.join(", ", labels.subList(0, 12)) + ", … (" + labels.size() + ")";
        return "Model[" + source + ", " + weights.provenance().format() + "; input " + weights.inputShape()
                + " in [0, 1]" + (weights.inputRange().isUnit() ? "" : " (mapped to [" + weights.inputRange().low() + ", "
                + weights.inputRange().high() + "])") + "; " + weights.layers().size() + " layers ("
                + layers + "), " + weights.parameterCount() + " parameters; " + outputs + " outputs"
                + (softmaxOutput ? " (probabilities)" : "") + ", labels: " + shownLabels + "; kernels " + kernels.name()
                + (bf16 ? "; dense weights bf16" : "")
                + (checkInputs ? "; inputs checked" : "") + "]";
    }

    /** A predictor for the calling thread to own: no per-call allocation, not thread-safe. */
    public Predictor newPredictor() {
        return new Predictor(this);
    }

    /**
     * The most probable class; thread-safe, allocation-free after the first call on a thread.
     *
     * @throws IllegalArgumentException if {@code input} is null, not {@link #inputSize()} long, or makes an
     *                                  output NaN or infinite (a NaN input always does, an infinite one
     *                                  almost always; finite values far outside the training range can)
     */
    public int predict(float[] input) {
        return predictWith(input, null);
    }

    /** The most probable class, with all class probabilities written to {@code probabilities}. */
    public int predict(float[] input, float[] probabilities) {
        checkProbabilities(probabilities);
        return predictWith(input, probabilities);
    }

    private int predictWith(float[] input, float[] probabilities) {
        Scratch held = Scratch.acquire();
        try {
            Scratch s = held.fit(maxWidth);
            return recording() ? EngineEvents.predict(this, s, input, probabilities) : run(s, input, probabilities);
        } finally {
            Scratch.release(held);
        }
    }

    void checkProbabilities(float[] probabilities) {
        if (probabilities == null || probabilities.length < outputs) throw new IllegalArgumentException(
                "probabilities needs " + outputs + " elements, has "
                        + (probabilities == null ? "none (null)" : probabilities.length));
    }

    /** One prediction with the given scratch; probabilities may be null (then no softmax is computed). */
    int run(Scratch s, float[] input, float[] probabilities) {
        if (input == null || input.length != inputSize) throw new IllegalArgumentException(
                "input must have " + inputSize + " values, has " + (input == null ? "none (null)" : input.length));
        if (checkInputs) checkRange(input, 0, -1);
        float[] logits = forward(1, input, 0, s);
        checkFinite(logits, 0, input, 0, -1);
        int label = kernels.argmax(outputs, logits, 0);
        if (probabilities != null) finish(1, logits, 0, probabilities, 0);
        return label;
    }

    /** Throws naming the first value of the input at {@code off} outside [0, 1] (NaN included). */
    private void checkRange(float[] input, int off, int image) {
        for (int i = 0; i < inputSize; i++) {
            float v = input[off + i];
            if (!(v >= 0f && v <= 1f)) throw new IllegalArgumentException((image < 0 ? "input" : "image " + image
                    + " of the batch") + " value " + v + " at index " + i + " is outside [0, 1], the Lanes input"
                    + " convention (pixels divided by 255; " + source + " maps [0, 1] to " + weights.inputRange() + " itself)");
        }
    }

    /**
     * A NaN input always reaches the outputs (NaN·w is NaN), and so does an infinite one unless every weight
     * it meets has the sign that ReLU then zeroes; argmax of NaN would be a confident-looking class 0.
     * Checking the few outputs costs nothing next to the network; only when one is not finite are the
     * inputs searched for the culprit, to name it.
     */
    private void checkFinite(float[] logits, int off, float[] input, int inOff, int image) {
        for (int j = 0; j < outputs; j++) {
            if (Float.isFinite(logits[off + j])) continue;
            String which = image < 0 ? "input" : "image " + image + " of the batch";
            for (int i = 0; i < inputSize; i++) {
                float v = input[inOff + i];
                if (!Float.isFinite(v)) throw new IllegalArgumentException(
                        which + " has a value that is not finite: " + v + " at index " + i);
            }
            throw new IllegalArgumentException("the network's outputs overflow on " + which
                    + " (its values reach float's range; inputs are expected in [0, 1] for MNIST-style models)");
        }
    }

    /**
     * Predicts {@code count} inputs stored one after another in {@code inputs}, splitting them over the
     * scheduler's threads (a batch smaller than one chunk, 64 images, runs on the calling thread). Writes
     * each label to {@code labels[i]} and, when {@code probabilities} is not null, the class probabilities
     * to {@code probabilities[i*outputs ...]}.
     *
     * <p>Errors: the array sizes, and with {@link #withInputCheck()} every input's range, are checked
     * before anything runs, so those errors write nothing. An input that makes an output NaN or infinite
     * (a NaN or infinite value, without the input check) is found only as its chunk runs: then the labels
     * and probabilities of other images may already be written and the rest are not; the exception names
     * the image. Treat {@code labels} and {@code probabilities} as undefined after an exception.
     */
    public void predictBatch(float[] inputs, int count, int[] labels, float[] probabilities, BatchScheduler scheduler) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        if (inputs == null || inputs.length < (long) count * inputSize) throw new IllegalArgumentException(
                "inputs must hold " + count + " x " + inputSize + " values, has " + (inputs == null ? 0 : inputs.length));
        if (labels == null || labels.length < count) throw new IllegalArgumentException(
                "labels must hold " + count + " entries, has " + (labels == null ? 0 : labels.length));
        if (probabilities != null && probabilities.length < (long) count * outputs) throw new IllegalArgumentException(
                "probabilities must hold " + count + " x " + outputs + " values, has " + probabilities.length);
        java.util.Objects.requireNonNull(scheduler, "scheduler");
        if (checkInputs) for (int i = 0; i < count; i++) checkRange(inputs, i * inputSize, i);
        Runnable batch = () -> scheduler.forRange(count, batchRows, (r0, r1) -> {
            Scratch held = Scratch.acquire();
            try {
                Scratch s = held.fit(batchRows * maxWidth);
                for (int from = r0; from < r1; from += batchRows) {
                    int rows = Math.min(batchRows, r1 - from);
                    float[] x = forward(rows, inputs, from * inputSize, s);
                    for (int r = 0; r < rows; r++) checkFinite(x, r * outputs, inputs, (from + r) * inputSize, from + r);
                    for (int r = 0; r < rows; r++) labels[from + r] = kernels.argmax(outputs, x, r * outputs);
                    if (probabilities != null) finish(rows, x, 0, probabilities, from * outputs);
                }
            } finally {
                Scratch.release(held);
            }
        });
        if (recording()) EngineEvents.predictBatch(batch, count); else batch.run();
    }

    /** As {@link #predictBatch(float[], int, int[], float[], BatchScheduler)} on {@link BatchScheduler#shared()}. */
    public void predictBatch(float[] inputs, int count, int[] labels, float[] probabilities) {
        predictBatch(inputs, count, labels, probabilities, BatchScheduler.shared());
    }

    /**
     * The most probable class of each input (one array of {@link #inputSize()} values per image), on
     * {@link BatchScheduler#shared()}. Copies the images into one flat array (the kernels read rows one
     * after another), so it allocates; use the flat form to avoid that. Every input is checked for its
     * length (and, with {@link #withInputCheck()}, its range) before anything runs.
     */
    public int[] predictBatch(float[][] inputs) {
        return predictBatch(inputs, null);
    }

    /**
     * As {@link #predictBatch(float[][])}, also writing each image's class probabilities to
     * {@code probabilities[i]} (each at least {@link #outputs()} long) when it is not null. Nothing is
     * written to {@code probabilities} unless the whole batch succeeds.
     */
    public int[] predictBatch(float[][] inputs, float[][] probabilities) {
        java.util.Objects.requireNonNull(inputs, "inputs");
        int count = inputs.length;
        if (probabilities != null && probabilities.length < count) throw new IllegalArgumentException(
                "probabilities must hold " + count + " arrays, has " + probabilities.length);
        float[] flat = new float[Math.multiplyExact(count, inputSize)];
        for (int i = 0; i < count; i++) {
            float[] x = inputs[i];
            if (x == null || x.length != inputSize) throw new IllegalArgumentException("image " + i
                    + " of the batch must have " + inputSize + " values, has " + (x == null ? "none (null)" : x.length));
            if (probabilities != null && (probabilities[i] == null || probabilities[i].length < outputs))
                throw new IllegalArgumentException("probabilities[" + i + "] needs " + outputs + " elements, has "
                        + (probabilities[i] == null ? "none (null)" : probabilities[i].length));
            System.arraycopy(x, 0, flat, i * inputSize, inputSize);
        }
        int[] labels = new int[count];
        float[] p = probabilities == null ? null : new float[count * outputs];
        predictBatch(flat, count, labels, p, BatchScheduler.shared());
        if (p != null) for (int i = 0; i < count; i++) System.arraycopy(p, i * outputs, probabilities[i], 0, outputs);
        return labels;
    }

    /** Rows per kernel call in batch prediction: activations of 64 rows stay in L1/L2. */
    private static final int BATCH_ROWS = 64;
    /** Batch scratch per buffer and thread, in floats (1 MiB), unless a single row is wider. */
    private static final long BATCH_SCRATCH_FLOATS = 1 << 18;

    /**
     * Runs every op on {@code rows} inputs at {@code input[inputOff...]}: each writes to the scratch buffer
     * the previous one did not, element-wise ops in place (but never into the caller's input). Returns the
     * buffer holding the pre-softmax outputs, from index 0.
     */
    float[] forward(int rows, float[] input, int inputOff, Scratch s) {
        float[] even = s.even, odd = s.odd, x = input;
        int xOff = inputOff;
        for (Op op : ops) {
            float[] y = op.inPlace && x != input ? x : x == even ? odd : even;
            op.run(kernels, s.workspace, rows, x, xOff, y, 0);
            x = y;
            xOff = 0;
        }
        return x;
    }

    /** Output values of `rows` rows: softmax for a softmax head, else the raw outputs. */
    void finish(int rows, float[] logits, int off, float[] out, int outOff) {
        if (softmaxOutput) {
            kernels.softmaxRows(rows, outputs, logits, off, out, outOff);
        } else {
            System.arraycopy(logits, off, out, outOff, rows * outputs);
        }
    }
}
