package lanes.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded convolutional networks for tests: every layer type, shapes as real MNIST models have them. */
final class TestNetworks {
    private TestNetworks() {}

    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (nextGaussian(r) * scale);
        return a;
    }

    private static double nextGaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** He-scaled kernel for fan-in n, so activations stay of order 1 through the network. */
    static Conv2D conv(SplittableRandom r, int k, int in, int out, int stride, Padding p, Activation a) {
        return new Conv2D(k, k, in, out, stride, stride, p, a, gaussian(r, k * k * in * out, Math.sqrt(2.0 / (k * k * in))),
                gaussian(r, out, 0.1));
    }

    static DenseWeights dense(SplittableRandom r, int in, int units, Activation a) {
        return new DenseWeights(in, units, a, gaussian(r, in * units, Math.sqrt(2.0 / in)), gaussian(r, units, 0.1));
    }

    static BatchNorm batchNorm(SplittableRandom r, int c) {
        float[] gamma = new float[c], beta = gaussian(r, c, 0.2), mean = gaussian(r, c, 0.5), var = new float[c];
        for (int i = 0; i < c; i++) {
            gamma[i] = (float) (0.5 + r.nextDouble());
            var[i] = (float) (0.2 + 2 * r.nextDouble());
        }
        return new BatchNorm(gamma, beta, mean, var, 1e-3f);
    }

    /** LeNet-5 for 28×28×1: conv 6 5×5 same relu, pool 2, conv 16 5×5 valid relu, pool 2, dense 120, 84, 10 softmax. */
    static Weights lenet(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Layer> l = new ArrayList<>();
        l.add(conv(r, 5, 1, 6, 1, Padding.same(28, 28, 5, 5, 1, 1), Activation.RELU));
        l.add(new MaxPool2D(2, 2, 2, 2, Padding.VALID));
        l.add(conv(r, 5, 6, 16, 1, Padding.VALID, Activation.RELU));
        l.add(new MaxPool2D(2, 2, 2, 2, Padding.VALID));
        l.add(new Flatten());
        l.add(dense(r, 5 * 5 * 16, 120, Activation.RELU));
        l.add(dense(r, 120, 84, Activation.RELU));
        l.add(dense(r, 84, 10, Activation.SOFTMAX));
        return new Weights(new Shape(28, 28, 1), l, Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes());
    }

    /**
     * Every other layer type on a 12×12×2 input trained on [0, 255]: a stride-2 same conv, BatchNorm folded
     * into it, a separate relu, a tanh conv with a BatchNorm that cannot fold (after tanh), a padded pool,
     * a Reshape and a Flatten, sigmoid, and a separate softmax.
     */
    static Weights bnStride2(long seed, InputRange range) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Layer> l = new ArrayList<>();
        l.add(conv(r, 3, 2, 8, 2, Padding.same(12, 12, 3, 3, 2, 2), Activation.LINEAR)); // 6×6×8
        l.add(batchNorm(r, 8));
        l.add(new ActivationLayer(Activation.RELU));
        l.add(conv(r, 3, 8, 4, 1, Padding.VALID, Activation.TANH)); // 4×4×4
        l.add(batchNorm(r, 4));
        l.add(new MaxPool2D(3, 3, 2, 2, Padding.same(4, 4, 3, 3, 2, 2))); // 2×2×4
        l.add(new Reshape(new Shape(4, 1, 4)));
        l.add(new Flatten());
        l.add(dense(r, 16, 12, Activation.SIGMOID));
        l.add(dense(r, 12, 5, Activation.LINEAR));
        l.add(new BatchNorm(gaussian(r, 5, 1), gaussian(r, 5, 1), new float[5], new float[] {1, 2, 3, 4, 5}, 1e-5f));
        l.add(new ActivationLayer(Activation.SOFTMAX));
        return new Weights(new Shape(12, 12, 2), l, new Metadata("synthetic", 2, 0.5, java.time.Instant.EPOCH), range,
                List.of("a", "b", "c", "d", "e"), new Provenance("keras", "bn.keras", "3.6.0"));
    }

    /** Seeded inputs in [0, 1], about a third of them zero (as image backgrounds are). */
    static float[] input(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextInt(3) == 0 ? 0 : (float) r.nextDouble();
        return x;
    }
}
