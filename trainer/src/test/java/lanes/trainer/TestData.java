package lanes.trainer;

import java.util.SplittableRandom;

/** Seeded synthetic examples: each class lights up its own band of features, plus sparse noise. */
final class TestData {
    private TestData() {}

    static Samples bands(int count, int features, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] px = new byte[count * features];
        byte[] labels = new byte[count];
        int band = Math.max(1, features / classes); // fewer features than classes: one feature each, some none
        for (int i = 0; i < count; i++) {
            int y = rnd.nextInt(classes);
            labels[i] = (byte) y;
            for (int j = 0; j < features; j++) {
                boolean inBand = j / band == y;
                // mostly zero like MNIST; the own band is bright, noise elsewhere is rare and dim
                if (inBand ? rnd.nextInt(3) > 0 : rnd.nextInt(10) == 0) {
                    px[i * features + j] = (byte) (inBand ? 128 + rnd.nextInt(128) : rnd.nextInt(160));
                }
            }
        }
        return new Samples(px, labels, count, features);
    }
}
