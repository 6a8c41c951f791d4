package lanes.trainer;

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

    /** Steps of the scratch network: enough for C2 to compile the step's kernels on a busy 2-core machine. */
    static final int STEPS = 1500;

    /**
     * Trains a scratch 32-64-10 network (the same code paths as any Dense stack: 4-row and masked tiles,
     * packing, the fused gradient + Adam) for {@link #STEPS} batches of 8; returns the seconds it took.
     */
    public static double run(Kernels kernels, BatchScheduler scheduler) {
        long start = System.nanoTime();
        int inputs = 32, batch = 8, examples = 4 * batch;
        byte[] pixels = new byte[examples * inputs], labels = new byte[examples];
        SplittableRandom rnd = new SplittableRandom(0x5EED);
        for (int i = 0; i < pixels.length; i++) pixels[i] = rnd.nextInt(3) == 0 ? 0 : (byte) rnd.nextInt(256);
        for (int i = 0; i < labels.length; i++) labels[i] = (byte) (i % 10);
        Samples data = new Samples(pixels, labels, examples, inputs);
        Network net = Network.builder(inputs).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
        Trainer trainer = new Trainer(net, new Adam(Adam.DEFAULT_LR, net.parameterCount()), kernels, scheduler);
        for (int i = 0; i < STEPS; i++) trainer.trainBatch(data, (i % 4) * batch, batch);
        trainer.evaluate(data);
        return (System.nanoTime() - start) / 1e9;
    }
}
