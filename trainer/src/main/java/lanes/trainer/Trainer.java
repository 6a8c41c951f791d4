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
 * <p>Every piece of arithmetic runs in {@code lanes.kernels}. A training step reads like llm.c's
 * {@code gpt2_forward} then {@code gpt2_backward}: the layers forward, the loss, the layers in reverse,
 * each updated by Adam once its gradients are known ({@link #stepUntraced}). A dense first layer
 * ({@link RowBlockedDense}) runs in two fixed row blocks of its weights, one per thread, forward and
 * backward; the dense layers above run on the thread that sums the blocks. Convolution and pooling
 * layers ({@link Conv}, {@link MaxPool}) split their images, or their kernel's rows, over the threads. No
 * result depends on the thread count, so the same seed gives bit-identical weights for 1, 2 or more
 * threads, and for the scalar and the SIMD kernels alike.
 *
 * <p>{@link #evaluate} (validation) runs the plain forward pass, batch rows split over threads, whose
 * dense first layer sums all inputs in one chain rather than two block sums: its loss on a batch can
 * differ from the training pass's in the last bits.
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
        if (!(net.layers.get(net.layers.size() - 1) instanceof Dense last) || last.activation != Activation.SOFTMAX) {
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

    private Augmentation augmentation = Augmentation.NONE;

    /**
     * Distorts every training example of {@link #fit} with {@code a} (seeded from the fit's seed, the epoch
     * and the example's index, so the same bits for any thread count); {@link #evaluate}, validation and
     * {@link #trainBatch} never augment. Augmentation takes one-channel square images: the network's input
     * size must be a square (784 = 28×28).
     *
     * @return this trainer
     */
    public Trainer withAugmentation(Augmentation a) {
        Objects.requireNonNull(a, "augmentation (use Augmentation.NONE for none)");
        if (!a.isNone()) {
            lanes.engine.Shape in = net.inputShape;
            if (!in.isVector() && (in.channels() != 1 || in.height() != in.width())) throw new IllegalArgumentException(
                    "augmentation " + a + " takes square one-channel images, but the network takes " + in.height() + "×"
                            + in.width() + "×" + in.channels() + " images");
            int side = imageSide();
            if (side * side != net.inputSize) throw new IllegalArgumentException("augmentation " + a
                    + " takes square one-channel images, but the network takes " + net.inputSize + " inputs, not a square");
            a.checkImage(side, side);
        }
        augmentation = a;
        return this;
    }

    public Augmentation augmentation() { return augmentation; }

    private int imageSide() {
        return (int) Math.round(Math.sqrt(net.inputSize));
    }

    /** A batch's summed loss and how many of its examples the network got right. */
    record BatchLoss(double loss, int correct) {}

    /** Trains for {@code epochs} epochs and validates after each one when {@code validation} is not null. */
    public List<EpochResult> fit(Samples train, Samples validation, int epochs, int batchSize, long seed,
                                 FitListener listener) {
        return fit(train, validation, epochs, batchSize, seed, listener, FitOptions.DEFAULTS).history();
    }

    /**
     * As {@link #fit(Samples, Samples, int, int, long, FitListener)}, with a learning-rate schedule and
     * early stopping. The schedule runs from Adam's rate when fit begins, and Adam has that rate again
     * when fit returns (a second fit repeats the schedule rather than continuing from its end).
     *
     * @throws IllegalArgumentException when the options read val_loss and there are no validation examples
     */
    public FitResult fit(Samples train, Samples validation, int epochs, int batchSize, long seed,
                         FitListener listener, FitOptions options) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(listener, "listener (use FitListener.NONE for none)");
        Objects.requireNonNull(options, "options (use FitOptions.DEFAULTS for none)");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        checkShape(train, "training");
        if (validation != null) checkShape(validation, "validation");
        if (train.count() == 0) throw new IllegalArgumentException("no training examples");
        String needs = options.validationNeededBy();
        if (needs != null && (validation == null || validation.count() == 0)) throw new IllegalArgumentException(
                needs + " watches val_loss, so it needs validation examples, and there are none");
        int rows = Math.min(batchSize, train.count());
        Batch batch = new Batch(net, kernels, rows, true);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // A batch larger than the data set is one batch of all of it (as in Keras); in long, so that a
        // batch near Integer.MAX_VALUE cannot overflow the step count.
        int steps = (int) ((train.count() + (long) rows - 1) / rows);
        List<EpochResult> history = new ArrayList<>();
        List<Float> rates = new ArrayList<>();
        float base = adam.learningRate();
        LearningRateSchedule.Run schedule = options.schedule().start(base, epochs, steps);
        EarlyStopping stopping = new EarlyStopping(options.patience());
        boolean stopped = false;
        for (int epoch = 1; epoch <= epochs && !stopped; epoch++) {
            listener.epochStart(epoch, epochs, steps);
            shuffle(order, rnd);
            batch.augmentWith(augmentation, imageSide(), imageSide(), seed, epoch);
            // Typed Object: this class must load without jdk.jfr (JfrSupport), so TrainEvents' types stay out of it.
            Object event = events && JfrSupport.active() ? TrainEvents.epochBegin() : null;
            long t0 = System.nanoTime();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (int step = 0; step < steps; step++) {
                int from = step * rows, b = Math.min(rows, train.count() - from);
                adam.setLearningRate(schedule.rate(epoch, step)); // the constant schedule sets the same value
                BatchLoss l = step(batch, train, order, from, b);
                lossSum += l.loss();
                correct += l.correct();
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
            rates.add(adam.learningRate());
            listener.epochEnd(r);
            schedule.epochEnd(r.valLoss());
            stopped = stopping.epochEnd(epoch, r.valLoss(), net.params) && epoch < epochs;
        }
        adam.setLearningRate(base);
        int weightsEpoch = options.patience() > 0 ? stopping.restore(net.params, history.size()) : history.size();
        FitResult result = new FitResult(history, rates, stopping.bestEpoch(), stopped, weightsEpoch);
        listener.fitEnd(result);
        return result;
    }

    /** One optimisation step on examples order[from..from+rows). */
    private BatchLoss step(Batch batch, Samples data, int[] order, int from, int rows) {
        if (events && JfrSupport.active()) return TrainEvents.step(() -> stepUntraced(batch, data, order, from, rows), rows);
        return stepUntraced(batch, data, order, from, rows);
    }

    /**
     * Forward through every layer, the loss, then backward through every layer in reverse, each one
     * updated by Adam (update number t) as soon as its gradients are known: a layer's input gradient is
     * computed from its weights before their update, and no layer below reads them.
     */
    private BatchLoss stepUntraced(Batch batch, Samples data, int[] order, int from, int rows) {
        BatchLoss loss = forwardAndLoss(batch, data, order, from, rows);
        long t = adam.begin();
        for (int l = net.layers.size() - 1; l >= 0; l--) {
            net.layers.get(l).backwardAndUpdate(gemm, scheduler, rows, batch, l, net.params, grads, adam, t);
        }
        return loss;
    }

    /** Selects the batch, runs every layer forward and the loss: the gradient of the batch's mean loss into grad[n]. */
    private BatchLoss forwardAndLoss(Batch batch, Samples data, int[] order, int from, int rows) {
        batch.select(data, order, from, rows);
        batch.augment(scheduler, rows);
        int n = net.layers.size();
        for (int l = 0; l < n; l++) net.layers.get(l).forwardTraining(kernels, scheduler, rows, batch, l, net.params);
        return loss(batch, rows, 1f / rows, batch.grad[n]);
    }

    /**
     * The loss summed over the rows, and the correct count: probabilities into probs, and the gradient of
     * the loss scaled by gradScale into gradOut when it is not null.
     */
    private BatchLoss loss(Batch batch, int rows, float gradScale, float[] gradOut) {
        int classes = net.outputSize();
        float[] logits = batch.act[net.layers.size()];
        double loss = kernels.softmaxCrossEntropy(rows, classes, logits, 0, batch.labels, 0, batch.probs, 0,
                gradOut == null ? batch.probs : gradOut, 0, gradScale);
        int correct = 0;
        for (int r = 0; r < rows; r++) if (kernels.argmax(classes, logits, r * classes) == batch.labels[r]) correct++;
        return new BatchLoss(loss, correct);
    }

    private Batch stepBatch;
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
        if (stepBatch == null || stepBatch.rows < rows) stepBatch = new Batch(net, kernels, rows, true);
        return step(stepBatch, data, null, from, rows).loss() / rows;
    }

    /** Test hook: the gradient of the mean loss over all of {@code data} (one batch), and that loss. */
    double gradient(Samples data, float[] gradOut) {
        Batch batch = new Batch(net, kernels, data.count(), true);
        double loss = forwardAndLoss(batch, data, null, 0, data.count()).loss();
        for (int l = net.layers.size() - 1; l >= 0; l--) net.layers.get(l).gradient(gemm, data.count(), batch, l, net.params, grads);
        System.arraycopy(grads, 0, gradOut, 0, grads.length);
        return loss / data.count();
    }

    /** Mean loss and accuracy over {@code data}, in batches, without touching the weights. */
    public Evaluation evaluate(Samples data) {
        Objects.requireNonNull(data, "data");
        checkShape(data, "evaluation");
        if (data.count() == 0) return new Evaluation(Double.NaN, Double.NaN, 0);
        // Fewer rows for a network so wide that EVAL_BATCH of them would not fit in an array.
        Batch batch = new Batch(net, kernels, Math.min(Math.min(EVAL_BATCH, data.count()), Batch.maxRows(net, false)), false);
        double loss = 0;
        long correct = 0;
        int b;
        for (int from = 0; from < data.count(); from += b) { // += b, not rows: from + rows may pass Integer.MAX_VALUE
            b = Math.min(batch.rows, data.count() - from);
            batch.load(data, null, from, b);
            for (int l = 0; l < net.layers.size(); l++) {
                // Inputs are pixels (mostly zero) or ReLU outputs (about half zero): skip the zeros.
                net.layers.get(l).forward(kernels, scheduler, b, batch.act[l], net.params, batch.act[l + 1], true);
            }
            BatchLoss l = loss(batch, b, 0f, null);
            loss += l.loss();
            correct += l.correct();
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
