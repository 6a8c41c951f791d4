package lanes.trainer;

import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;

/**
 * One batch of examples and everything a pass over it writes, as llm.c's activations and gradients:
 * {@code act[l]} is the input of layer l (act[0] the pixels as x/255, act[n] the logits), {@code grad[l]}
 * the gradient of the loss with respect to it (none for the input), {@code scratch[l]} what layer l
 * keeps per row beside them. It selects the examples, converts their pixels (a block of columns at a
 * time, by the thread that uses them) and prefetches the next batch's. In a fit with an {@link Augmentation},
 * it instead produces every example's whole image before the first layer runs ({@link #augment}).
 */
final class Batch {
    /** The most rows this batch holds; a step may use fewer. */
    final int rows;
    final float[][] act;
    final float[][] grad;    // training only; grad[0] stays null: the input gets no gradient
    final float[][] scratch; // training only, for layers that ask (see Layer.scratchPerRow)
    final float[] probs;
    final int[] labels;

    private final Kernels kernels;
    private Samples data;
    private int[] examples = new int[0], next = new int[0];
    private int nextRows;
    // What prefetching read, stored so that the reads are not optimised away. Both threads write it;
    // nothing reads it, so the race is harmless.
    private int touched;
    // Augmentation (fit only): what distorts the images, of which size, and the seed and epoch an example's
    // distortion derives from; augmented is true once act[0] holds the selected examples' whole images.
    private Augmentation augmentation = Augmentation.NONE;
    private int height, width, epoch;
    private long fitSeed;
    private boolean augmented;

    Batch(Network net, Kernels kernels, int rows, boolean training) {
        long floats = rows * floatsPerRow(net, training);
        if (floats > Network.MAX_PARAMETERS) throw new IllegalArgumentException("a batch of " + rows
                + " examples needs a buffer of " + floats + " floats in this network, more than a Java array"
                + " holds: use a batch of at most " + maxRows(net, training) + " examples");
        this.rows = rows;
        this.kernels = kernels;
        int n = net.layers.size();
        act = new float[n + 1][];
        grad = new float[n + 1][];
        scratch = new float[n][];
        act[0] = new float[rows * net.inputSize];
        for (int l = 0; l < n; l++) {
            Layer layer = net.layers.get(l);
            act[l + 1] = new float[rows * layer.out];
            if (training) {
                grad[l + 1] = new float[rows * layer.out];
                long size = (long) rows * layer.scratchPerRow() + layer.scratchFixed();
                if (size > Network.MAX_PARAMETERS) throw new IllegalArgumentException("a batch of " + rows
                        + " examples needs a scratch buffer of " + size + " floats in layer " + l
                        + ", more than a Java array holds");
                if (size > 0) scratch[l] = new float[(int) size];
            }
        }
        probs = new float[rows * net.outputSize()];
        labels = new int[rows];
    }

    /**
     * Floats per batch row of the widest buffer: a layer's activations or, in training, a layer's
     * scratch. {@link Network.Builder} keeps each within an array, so a one-row batch always fits.
     */
    private static long floatsPerRow(Network net, boolean training) {
        long widest = net.maxWidth();
        if (training) for (Layer layer : net.layers) widest = Math.max(widest, layer.scratchPerRow());
        return widest;
    }

    /** The most rows a batch can have: its widest buffer must fit in one array. */
    static int maxRows(Network net, boolean training) {
        return (int) (Network.MAX_PARAMETERS / floatsPerRow(net, training));
    }

    /** Copies examples order[from..from+rows) of data into act[0] as x/255, and their labels. */
    void load(Samples data, int[] order, int from, int rows) {
        select(data, order, from, rows);
        fill(rows, 0, data.features());
    }

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
        this.data = data;
        augmented = false;
    }

    /** The augmentation of the coming steps (of a fit), on height×width images, in this epoch of a fit with this seed. */
    void augmentWith(Augmentation a, int height, int width, long fitSeed, int epoch) {
        this.augmentation = a;
        this.height = height;
        this.width = width;
        this.fitSeed = fitSeed;
        this.epoch = epoch;
    }

    /**
     * With an augmentation, writes each selected example's whole distorted image into act[0], rows split
     * over threads (each row by one thread, from its own seed: the same bits for any thread count), and
     * makes {@link #fill} a no-op for this step. A distortion moves pixels across the first layer's column
     * blocks, so it cannot be made a block at a time. Nothing to do without one.
     */
    void augment(BatchScheduler s, int rows) {
        if (augmentation.isNone()) return;
        int f = data.features();
        byte[] px = data.pixels();
        // About 5 µs an image: a few images per chunk outweigh handing the chunk to another thread.
        s.forRange(rows, 4, (r0, r1) -> {
            float[] scratch = new float[Augmentation.scratchSize(height, width)];
            for (int r = r0; r < r1; r++) {
                long seed = Augmentation.exampleSeed(fitSeed, epoch, examples[r]);
                augmentation.apply(px, examples[r] * f, height, width, act[0], r * f, seed, scratch);
            }
        });
        augmented = true;
    }

    /** Pixels [k0, k1) of every selected example into act[0] as x/255 (as Pixels.toUnit does). */
    void fill(int rows, int k0, int k1) {
        if (augmented) return; // augment wrote the whole images
        int f = data.features();
        byte[] px = data.pixels();
        for (int r = 0; r < rows; r++) kernels.unitBytes(k1 - k0, px, examples[r] * f + k0, act[0], r * f + k0);
    }

    /**
     * Reads one byte per cache line of pixels [k0, k1) of the next batch's examples, bringing them into
     * this thread's cache: shuffled examples lie anywhere in tens of megabytes, and reading them cold
     * cost a step ~25 µs.
     */
    void prefetchNext(int k0, int k1) {
        if (k1 <= k0) return;
        int f = data.features(), sum = 0;
        byte[] px = data.pixels();
        for (int r = 0; r < nextRows; r++) {
            int base = next[r] * f;
            for (int c = k0; c < k1; c += 64) sum += px[base + c];
            sum += px[base + k1 - 1];
        }
        touched = sum;
    }
}
