package lanes.trainer;

import java.util.Objects;
import java.util.SplittableRandom;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;

/**
 * Gets the JIT to compile the training kernels before the first real step. Until C2 has compiled
 * them, Vector API code runs as plain Java objects, hundreds of times slower: the first batches of a
 * 784-128-10 network take 15 ms each, and the first epoch paid ~1.5 s of it. Steps of a tiny network
 * on synthetic pixels cost microseconds even uncompiled, so the compiler's thresholds are reached
 * for a fraction of that, and the real training starts on compiled code. Nothing here touches the
 * caller's network or data, and no result depends on whether it ran.
 */
public final class Warmup {
    private Warmup() {}

    /**
     * Trains scratch networks on synthetic pixels and returns the seconds it took: first a tiny
     * 32-64-10 one, cheap enough uncompiled to get the kernels of a step compiled, then a 200-80-10
     * one whose shapes reach the paths the tiny one cannot: vector packing and conversion of 100-pixel
     * blocks with a tail, a single-vector column strip, a partial 4-row tile in evaluation. A path
     * first met in the real training would send its method back to the interpreter and the compiler.
     * (Running the second one until C2 has also compiled the kernels called only a few times a step
     * took 0.5 s more than it saved in epoch 1.)
     */
    public static double run(Kernels kernels, BatchScheduler scheduler) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(scheduler, "scheduler");
        long start = System.nanoTime();
        train(kernels, scheduler, 32, 64, 8, 1500);
        train(kernels, scheduler, 200, 80, 32, 300);
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * As {@link #run(Kernels, BatchScheduler)}, for the paths {@code network} takes: a network whose first
     * layer is dense gets that warm-up; a convolutional one instead trains a scratch CNN on 12×12 synthetic
     * images (a 1-channel direct convolution, 16- and 32-filter GEMMs, 2×2 pooling, a dense head) until its
     * kernels are compiled. It takes about as long as it saves (~1.6 s against the 1.5 s that the first
     * 32 steps of the 28×28 reference CNN spent in uncompiled code, on a busy 2-core machine), so it is no
     * faster overall: what it buys is a first epoch as fast as the others, as with dense networks. Nothing
     * here touches {@code network}.
     */
    public static double run(Kernels kernels, BatchScheduler scheduler, Network network) {
        Objects.requireNonNull(network, "network");
        return network.layers.get(0) instanceof Dense ? run(kernels, scheduler) : runConvolutional(kernels, scheduler);
    }

    /** The convolutional warm-up of {@link #run(Kernels, BatchScheduler, Network)}, for a caller that has no network yet. */
    public static double runConvolutional(Kernels kernels, BatchScheduler scheduler) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(scheduler, "scheduler");
        long start = System.nanoTime();
        Network cnn = Network.builder(12, 12, 1).conv2d(16, 3, Activation.RELU).maxPool(2).conv2d(32, 2, Activation.RELU)
                .maxPool(2).dense(10, Activation.SOFTMAX).build(1);
        train(kernels, scheduler, cnn, 144, 8, 400);
        return (System.nanoTime() - start) / 1e9;
    }

    private static void train(Kernels kernels, BatchScheduler scheduler, int inputs, int hidden, int batch, int steps) {
        Network net = Network.builder(inputs).dense(hidden, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
        train(kernels, scheduler, net, inputs, batch, steps);
    }

    private static void train(Kernels kernels, BatchScheduler scheduler, Network net, int inputs, int batch, int steps) {
        int examples = 4 * batch + 1;
        byte[] pixels = new byte[examples * inputs], labels = new byte[examples];
        SplittableRandom rnd = new SplittableRandom(0x5EED);
        for (int i = 0; i < pixels.length; i++) pixels[i] = rnd.nextInt(3) == 0 ? 0 : (byte) rnd.nextInt(256);
        for (int i = 0; i < labels.length; i++) labels[i] = (byte) (i % 10);
        Samples data = new Samples(pixels, labels, examples, inputs);
        Trainer trainer = new Trainer(net, new Adam(Adam.DEFAULT_LR, net.parameterCount()), kernels, scheduler).withoutEvents();
        trainer.fit(data, data, 1, batch, 1, FitListener.NONE);
        for (int i = 0; i < steps; i++) trainer.trainBatch(data, (i % 4) * batch, batch);
        trainer.evaluate(data);
    }
}
