package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reader on real MNIST digits (test resource mnist-small, see its README): shape, labels, pixels, and that labels fit the images. */
class MnistFixtureTest {

    static Dataset train, test;

    @BeforeAll
    static void load() throws IOException {
        train = MnistSmall.load("train");
        test = MnistSmall.load("t10k");
    }

    @Test
    void shape() {
        assertEquals(1000, train.count());
        assertEquals(200, test.count());
        for (Dataset d : new Dataset[] {train, test}) {
            assertEquals(28, d.rows());
            assertEquals(28, d.cols());
            assertEquals(10, d.classes());
            assertEquals(d.count() * 784, d.images().pixels().length);
        }
    }

    @Test
    void everyDigitIsThereInSaneProportions() {
        int[] tr = train.classCounts(), te = test.classCounts();
        for (int c = 0; c < 10; c++) {
            assertTrue(tr[c] >= 50 && tr[c] <= 200, "train class " + c + ": " + Arrays.toString(tr));
            assertTrue(te[c] >= 5 && te[c] <= 50, "test class " + c + ": " + Arrays.toString(te));
        }
        assertEquals(1000, Arrays.stream(tr).sum());
    }

    @Test
    void pixelsLookLikeMnist() {
        for (Dataset d : new Dataset[] {train, test}) {
            byte[] p = d.images().pixels();
            int min = 255, max = 0, zeros = 0;
            long sum = 0;
            for (byte b : p) {
                int v = b & 0xff;
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                if (v == 0) zeros++;
            }
            assertEquals(0, min);
            assertEquals(255, max);
            double mean = (double) sum / p.length;          // MNIST: about 33 (0.1307 * 255)
            assertTrue(mean > 25 && mean < 45, "mean " + mean);
            double background = (double) zeros / p.length;  // MNIST: about 80% zeros
            assertTrue(background > 0.7 && background < 0.9, "background " + background);
            int frameInk = 0, frame = 0;
            for (int i = 0; i < d.count(); i++) {
                int ink = 0;
                for (int r = 0; r < 28; r++) {
                    for (int c = 0; c < 28; c++) {
                        int v = d.images().pixel(i, r, c);
                        if (v != 0) ink++;
                        if (r < 2 || r > 25 || c < 2 || c > 25) {
                            frame++;
                            if (v != 0) frameInk++;
                        }
                    }
                }
                assertTrue(ink >= 20, "image " + i + " has only " + ink + " inked pixels");
            }
            // Digits are centred in a 20x20 box: the outer two-pixel frame is nearly empty.
            assertTrue(frameInk < frame / 100, "frame ink " + frameInk + " of " + frame);
        }
    }

    @Test
    void labelsBelongToTheirImages() {
        // Nearest class mean on raw pixels gets about 80% here; mismatched labels would give about 10%.
        double[][] mean = new double[10][784];
        int[] n = train.classCounts();
        for (int i = 0; i < train.count(); i++) {
            for (int k = 0; k < 784; k++) mean[train.label(i)][k] += (train.images().pixels()[i * 784 + k] & 0xff) / (double) n[train.label(i)];
        }
        int right = 0;
        for (int i = 0; i < test.count(); i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double dist = 0;
                for (int k = 0; k < 784; k++) {
                    double diff = (test.images().pixels()[i * 784 + k] & 0xff) - mean[c][k];
                    dist += diff * diff;
                }
                if (dist < bestD) {
                    bestD = dist;
                    best = c;
                }
            }
            if (best == test.label(i)) right++;
        }
        assertTrue(right >= 140, "nearest-mean accuracy " + right + "/200");
        // And ones are the thinnest digit.
        double[] ink = new double[10];
        for (int c = 0; c < 10; c++) for (double v : mean[c]) ink[c] += v;
        for (int c = 0; c < 10; c++) if (c != 1) assertTrue(ink[1] < ink[c], "class 1 vs " + c + ": " + Arrays.toString(ink));
    }
}
