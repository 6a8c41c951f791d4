package lanes.engine;

import lanes.kernels.KernelsProvider;

/**
 * Run by {@link PredictInputTest} in a JVM of its own, as a service would: load the default model (warmed
 * on load), then two convolutional models of other shapes, warmed as load warms them, and predict with
 * them until a round allocates nothing (at most 30 s). Prints {@code bytes=N} for the last round: 0 is the
 * contract. In a JVM of its own because the tests of a module share one, and the JIT history other tests
 * leave (deliberately odd shapes among them) is not a history any application has.
 */
public final class ConvAllocationProbe {
    public static void main(String[] args) {
        Model.loadDefault();
        Model lenet = Model.of(TestNetworks.lenet(1), KernelsProvider.get()).warmUp();
        Model bn = Model.of(TestNetworks.bnStride2(2, new InputRange(-1, 1)), KernelsProvider.get()).warmUp();
        Predictor ownLenet = lenet.newPredictor();
        float[] x = TestNetworks.input(1, 784), p = new float[10];
        float[] xb = TestNetworks.input(3, bn.inputSize()), pb = new float[5];
        long[] sink = {0};
        long bytes = SteadyAllocation.bytesPerRound(() -> {
            for (int i = 0; i < 300; i++) sink[0] += lenet.predict(x, p) + ownLenet.predict(x) + bn.predict(xb, pb);
        });
        System.out.println("bytes=" + bytes + " kernels=" + KernelsProvider.get() + " sink=" + sink[0]);
    }
}
