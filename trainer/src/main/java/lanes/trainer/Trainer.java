package lanes.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import lanes.engine.Activation;
import lanes.engine.JfrSupport;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * Mini-batch training with sparse categorical cross-entropy and Adam, like Keras'
 * {@code model.fit(x, y, batch_size, epochs, validation_data)}.
 *
 * <p>Every piece of arithmetic runs in {@code lanes.kernels}. In a training step the first layer runs in
 * two fixed row blocks of its weights, one per thread, forward and backward (see
 * {@link Dense#forwardBlocks}); the layers above run on the thread that sums the blocks. No result
 * depends on the thread count, so the same seed gives bit-identical weights for 1, 2 or more threads,
 * and for the scalar and the SIMD kernels alike.
 *
 * <p>{@link #evaluate} (validation) runs the plain forward pass, batch rows split over threads, whose
 * first layer sums all inputs in one chain rather than two block sums: its loss on a batch can differ
 * from the training pass's in the last bits.
 */
public final class Trainer {

    private static final int EVAL_BATCH = 1000;

    private final Network net;
    private final Adam adam;
    private final Kernels kernels;
    private final BatchScheduler scheduler;
    private final Gemm gemm;
    private final float[] grads;

    /** @param adam an optimiser sized for the network: {@code new Adam(lr, net.parameterCount())} */
    public Trainer(Network net, Adam adam, Kernels kernels, BatchScheduler scheduler) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(adam, "adam");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(scheduler, "scheduler");
        if (adam.parameterCount() != net.parameterCount()) throw new IllegalArgumentException(
                "adam is sized for " + adam.parameterCount() + " parameters but the network has "
                        + net.parameterCount() + ": use new Adam(lr, net.parameterCount())");
        Dense last = net.layers.get(net.layers.size() - 1);
        if (last.activation != Activation.SOFTMAX) {
            throw new IllegalArgumentException("training uses sparse categorical cross-entropy: the last layer must be softmax");
        }
        this.net = net;
        this.adam = adam;
        this.kernels = kernels;
        this.scheduler = scheduler;
        this.gemm = new Gemm(kernels, scheduler);
        this.grads = new float[net.params.length];
    }

    public Network network() { return net; }

    /** False for the scratch networks of {@link Warmup}: their steps are not the application's training. */
    private boolean events = true;

    /** This trainer emits no JFR events (a recording of tools/train shows the real epochs only). */
    Trainer withoutEvents() {
        events = false;
        return this;
    }

    /**
     * Floats per batch row of the widest buffer: a layer's activations or, in training, the first layer's
     * block partials. At most the network's parameter count, so a one-row batch always fits.
     */
    private long floatsPerRow(boolean training) {
        long widest = net.maxWidth();
        return training ? Math.max(widest, (long) Dense.BLOCKS * net.layers.get(0).out) : widest;
    }

    /** The most rows a batch can have: its widest buffer must fit in one array. */
    private int maxRows(boolean training) {
        return (int) (Network.MAX_PARAMETERS / floatsPerRow(training));
    }

    /** Activation and gradient buffers for batches of up to {@code rows} rows. */
    private final class Buffers implements Dense.BatchInput {
        final int rows;
        final float[][] act;   // act[0] = input (rows, in); act[l+1] = output of layer l (rows, out_l)
        final float[][] grad;  // grad[l] has the shape of act[l]; grad[0] unused (no input gradient)
        final float[] probs;
        final int[] labels;
        final float[] partials; // the first layer's per-block products (training only)

        Buffers(int rows, boolean training) {
            long floats = rows * floatsPerRow(training);
            if (floats > Network.MAX_PARAMETERS) throw new IllegalArgumentException("a batch of " + rows
                    + " examples needs a buffer of " + floats + " floats in this network, more than a Java array"
                    + " holds: use a batch of at most " + maxRows(training) + " examples");
            this.rows = rows;
            int n = net.layers.size();
            act = new float[n + 1][];
            grad = new float[n + 1][];
            act[0] = new float[rows * net.inputSize];
            for (int l = 0; l < n; l++) {
                act[l + 1] = new float[rows * net.layers.get(l).out];
                if (training) grad[l + 1] = new float[rows * net.layers.get(l).out];
            }
            probs = new float[rows * net.outputSize()];
            labels = new int[rows];
            partials = training ? new float[Dense.BLOCKS * rows * net.layers.get(0).out] : null;
        }

        /** Copies examples order[from..from+rows) of data into act[0] as x/255, and their labels. */
        void load(Samples data, int[] order, int from, int rows) {
            select(data, order, from, rows);
            fill(rows, 0, data.features());
        }

        private Samples batchData;
        private int[] examples = new int[0], next = new int[0];
        private int nextRows;
        // What prefetching read, stored so that the reads are not optimised away. Both threads write it;
        // nothing reads it, so the race is harmless.
        private int touched;

        /**
         * Picks the batch's examples and reads their labels; the pixels follow in {@link #fill}.
         * Also notes which examples come next in {@code order}, for {@link #prefetchNext}.
         */
        void select(Samples data, int[] order, int from, int rows) {
            if (examples.length < rows) {
                examples = new int[rows];
                next = new int[rows];
            }
            for (int r = 0; r < rows; r++) {
                int e = order == null ? from + r : order[from + r];
                examples[r] = e;
                labels[r] = data.labels()[e] & 0xFF;
            }
            nextRows = order == null ? 0 : Math.max(0, Math.min(rows, order.length - from - rows));
            for (int r = 0; r < nextRows; r++) next[r] = order[from + rows + r];
            batchData = data;
        }

        /** Pixels [k0, k1) of every selected example into act[0] as x/255 (as Pixels.toUnit does). */
        @Override
        public void fill(int rows, int k0, int k1) {
            int f = batchData.features();
            byte[] px = batchData.pixels();
            for (int r = 0; r < rows; r++) kernels.unitBytes(k1 - k0, px, examples[r] * f + k0, act[0], r * f + k0);
        }

        /** Reads one byte per cache line of pixels [k0, k1) of the next batch's examples. */
        @Override
        public void prefetchNext(int k0, int k1) {
            if (k1 <= k0) return;
            int f = batchData.features(), sum = 0;
            byte[] px = batchData.pixels();
            for (int r = 0; r < nextRows; r++) {
                int base = next[r] * f;
                for (int c = k0; c < k1; c += 64) sum += px[base + c];
                sum += px[base + k1 - 1];
            }
            touched = sum;
        }

        /**
         * The training forward pass. The first layer runs in row blocks (see {@link Dense#forwardBlocks}),
         * and each thread converts the pixels of its own blocks: they never leave its core.
         */
        void forwardTraining(int rows) {
            net.layers.get(0).forwardBlocks(kernels, scheduler, rows, act[0], net.params, act[1], partials, this);
            for (int l = 1; l < net.layers.size(); l++) {
                net.layers.get(l).forward(kernels, scheduler, rows, act[l], net.params, act[l + 1], true);
            }
        }

        void forward(int rows) {
            for (int l = 0; l < net.layers.size(); l++) {
                // Inputs are pixels (mostly zero) or ReLU outputs (about half zero): skip the zeros.
                net.layers.get(l).forward(kernels, scheduler, rows, act[l], net.params, act[l + 1], true);
            }
        }

        /** Loss summed over the rows (probs and gradient of the mean loss into grad[n]); returns correct count via out. */
        double loss(int rows, float gradScale, float[] gradOut, int[] correctOut) {
            int n = net.layers.size(), classes = net.outputSize();
            float[] logits = act[n];
            double loss = kernels.softmaxCrossEntropy(rows, classes, logits, 0, labels, 0, probs, 0,
                    gradOut == null ? probs : gradOut, 0, gradScale);
            int correct = 0;
            for (int r = 0; r < rows; r++) if (kernels.argmax(classes, logits, r * classes) == labels[r]) correct++;
            correctOut[0] = correct;
            return loss;
        }
    }

    /** Trains for {@code epochs} epochs and validates after each one when {@code validation} is not null. */
    public List<EpochResult> fit(Samples train, Samples validation, int epochs, int batchSize, long seed,
                                 FitListener listener) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(listener, "listener (use FitListener.NONE for none)");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        checkShape(train, "training");
        if (validation != null) checkShape(validation, "validation");
        if (train.count() == 0) throw new IllegalArgumentException("no training examples");
        int rows = Math.min(batchSize, train.count());
        Buffers buf = new Buffers(rows, true);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // A batch larger than the data set is one batch of all of it (as in Keras); in long, so that a
        // batch near Integer.MAX_VALUE cannot overflow the step count.
        int steps = (int) ((train.count() + (long) rows - 1) / rows);
        List<EpochResult> history = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            listener.epochStart(epoch, epochs, steps);
            shuffle(order, rnd);
            // Typed Object: this class must load without jdk.jfr (JfrSupport), so TrainEvents' types stay out of it.
            Object event = events && JfrSupport.active() ? TrainEvents.epochBegin() : null;
            long t0 = System.nanoTime();
            double lossSum = 0;
            long correct = 0, seen = 0;
            int[] c = new int[1];
            for (int step = 0; step < steps; step++) {
                int from = step * rows, b = Math.min(rows, train.count() - from);
                lossSum += step(buf, train, order, from, b, c);
                correct += c[0];
                seen += b;
                listener.stepEnd(epoch, step + 1, steps, lossSum / seen, (double) correct / seen, System.nanoTime() - t0);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (event != null) TrainEvents.epochTrained(event);
            Evaluation val = validation == null ? null : evaluate(validation);
            EpochResult r = new EpochResult(epoch, epochs, steps, seen, seconds, lossSum / seen, (double) correct / seen,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy());
            if (event != null) TrainEvents.epochEnd(event, r);
            history.add(r);
            listener.epochEnd(r);
        }
        return history;
    }

    /** One optimisation step on examples order[from..from+rows); returns the batch's summed loss. */
    private double step(Buffers buf, Samples data, int[] order, int from, int rows, int[] correct) {
        if (events && JfrSupport.active()) return TrainEvents.step(() -> stepUntraced(buf, data, order, from, rows, correct), rows);
        return stepUntraced(buf, data, order, from, rows, correct);
    }

    private double stepUntraced(Buffers buf, Samples data, int[] order, int from, int rows, int[] correct) {
        double loss = forwardAndBackUpper(buf, data, order, from, rows, correct);
        // The first layer holds ~99% of the parameters: its gradient and update are fused, row block by
        // row block; everything after its kernel (its bias, the later layers) is updated here.
        Dense first = net.layers.get(0);
        long t = adam.begin();
        first.backwardAndUpdate(kernels, scheduler, rows, buf.act[0], buf.act[1], buf.grad[1], net.params, grads, adam, t,
                buf);
        int rest = first.biasOffset;
        scheduler.forRange(net.params.length - rest, 1 << 14, (i0, i1) -> adam.apply(kernels, net.params, grads, rest + i0, i1 - i0, t));
        return loss;
    }

    /** Forward and backward on one batch: gradients of the batch's mean loss into {@link #grads}. */
    private double backprop(Buffers buf, Samples data, int[] order, int from, int rows, int[] correct) {
        double loss = forwardAndBackUpper(buf, data, order, from, rows, correct);
        net.layers.get(0).backward(gemm, rows, buf.act[0], buf.act[1], buf.grad[1], net.params, grads, null, true);
        return loss;
    }

    /** Loads the batch, runs the forward pass and the loss, and back-propagates down to the first layer's output. */
    private double forwardAndBackUpper(Buffers buf, Samples data, int[] order, int from, int rows, int[] correct) {
        buf.select(data, order, from, rows);
        buf.forwardTraining(rows);
        int n = net.layers.size();
        double loss = buf.loss(rows, 1f / rows, buf.grad[n], correct);
        for (int l = n - 1; l >= 1; l--) {
            // Dense weight gradients here: skipping the ReLU zeros of a (B, hidden) input means packing its
            // strided columns, which costs twice what the skipped multiply-adds would (32×128×10: 6 µs vs 3).
            net.layers.get(l).backward(gemm, rows, buf.act[l], buf.act[l + 1], buf.grad[l + 1], net.params, grads,
                    buf.grad[l], false);
        }
        return loss;
    }

    private Buffers stepBuffers;
    private Samples checkedData;

    /**
     * One optimisation step (forward, backward, Adam) on examples [from, from+rows) of data, in order;
     * returns the batch's mean loss. For benchmarks and custom loops; {@link #fit} does the shuffling.
     */
    public double trainBatch(Samples data, int from, int rows) {
        Objects.requireNonNull(data, "data");
        if (data != checkedData) { // labels are checked once per data set, not on every step (see Samples)
            checkShape(data, "training");
            checkedData = data;
        }
        // In long: from + rows near Integer.MAX_VALUE would wrap negative and pass.
        long to = (long) from + rows;
        if (rows < 1 || from < 0 || to > data.count()) throw new IllegalArgumentException(
                "batch [" + from + ", " + to + ") is outside the " + data.count() + " examples");
        if (stepBuffers == null || stepBuffers.rows < rows) stepBuffers = new Buffers(rows, true);
        return step(stepBuffers, data, null, from, rows, new int[1]) / rows;
    }

    /** Test hook: the gradient of the mean loss over all of {@code data} (one batch), and that loss. */
    double gradient(Samples data, float[] gradOut) {
        Buffers buf = new Buffers(data.count(), true);
        double loss = backprop(buf, data, null, 0, data.count(), new int[1]);
        System.arraycopy(grads, 0, gradOut, 0, grads.length);
        return loss / data.count();
    }

    /** Mean loss and accuracy over {@code data}, in batches, without touching the weights. */
    public Evaluation evaluate(Samples data) {
        Objects.requireNonNull(data, "data");
        checkShape(data, "evaluation");
        if (data.count() == 0) return new Evaluation(Double.NaN, Double.NaN, 0);
        // Fewer rows for a network so wide that EVAL_BATCH of them would not fit in an array.
        Buffers buf = new Buffers(Math.min(Math.min(EVAL_BATCH, data.count()), maxRows(false)), false);
        double loss = 0;
        long correct = 0;
        int[] c = new int[1];
        int b;
        for (int from = 0; from < data.count(); from += b) { // += b, not rows: from + rows may pass Integer.MAX_VALUE
            b = Math.min(buf.rows, data.count() - from);
            buf.load(data, null, from, b);
            buf.forward(b);
            loss += buf.loss(b, 0f, null, c);
            correct += c[0];
        }
        return new Evaluation(loss / data.count(), (double) correct / data.count(), data.count());
    }

    private void checkShape(Samples s, String what) {
        if (s.features() != net.inputSize) throw new IllegalArgumentException(
                what + " examples have " + s.features() + " features, the network takes " + net.inputSize);
        int classes = net.outputSize();
        for (int i = 0; i < s.count(); i++) {
            int y = s.labels()[i] & 0xFF;
            if (y >= classes) throw new IllegalArgumentException(
                    what + " label " + y + " at index " + i + " is not one of the network's " + classes + " classes");
        }
    }

    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
    }
}
