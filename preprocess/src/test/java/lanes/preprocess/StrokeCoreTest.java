package lanes.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The two failure classes of real photos: soft strokes (crop on the core) and thick ones (thin them). */
class StrokeCoreTest {
    static final ImagePreprocessor P = new ImagePreprocessor();

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /** Dark ink of coverage {@code m} on light paper. */
    static BufferedImage paper(int w, int h, float[] m) {
        return SampleImages.grey8(w, h, i -> SampleImages.mix(225, 30, m[i]));
    }

    /** A 9: a loop and a tail, 300 units tall, in a 400 x 400 image. */
    static float[] nine(float pen) {
        Path2D.Double p = new Path2D.Double();
        p.append(new Ellipse2D.Double(140, 50, 120, 120), false);
        p.moveTo(260, 110);
        p.curveTo(262, 200, 240, 290, 215, 350);
        return SampleImages.stroke(400, 400, p, pen);
    }

    /** The bounding box side (the longer) of the pixels at or above {@code t}: [width, height]. */
    static int[] box(float[] x, float t) {
        int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
        for (int i = 0; i < 784; i++) {
            if (x[i] >= t && x[i] > 0) {
                x0 = Math.min(x0, i % 28);
                x1 = Math.max(x1, i % 28);
                y0 = Math.min(y0, i / 28);
                y1 = Math.max(y1, i / 28);
            }
        }
        return new int[] {x1 - x0 + 1, y1 - y0 + 1};
    }

    @Test
    void aBlurredNinesCoreFillsTheBoxAsASharpOnesDoes() throws ImageException {
        // Blur of sigma 12 units is 0.8 of a fitted pixel: its halo above the paper's noise floor reaches
        // two pixels beyond the stroke. Fitted with the halo, the core would come out about 17 pixels tall.
        float[] sharp = nine(24), soft = DevSet.gaussian(sharp, 400, 400, 12);
        float[] a = P.fromImage(paper(400, 400, sharp), PreprocessMode.MNIST);
        float[] b = P.fromImage(paper(400, 400, soft), PreprocessMode.MNIST);
        int[] coreSharp = box(a, 0.5f), coreSoft = box(b, 0.5f);
        assertTrue(coreSharp[1] >= 19 && coreSharp[1] <= 21, "sharp 9's core is " + coreSharp[1] + " tall");
        assertTrue(coreSoft[1] >= 19 && coreSoft[1] <= 21, "blurred 9's core is " + coreSoft[1] + " tall, not MNIST's 20");
        // The halo is kept, not cut: the soft digit's faint ink reaches beyond its core.
        int[] all = box(b, 0f);
        assertTrue(all[1] > coreSoft[1], "no halo around the blurred 9: ink box " + all[1] + ", core " + coreSoft[1]);
    }

    @Test
    void aSolidBarOneIsThinnedToMnistWidth() throws ImageException {
        // A marker 1: 60 x 300, which fitted 20 tall would be a 4-pixel bar (MNIST's 1s are about 2 wide).
        // Thinned to StrokeWidth.THIN_TO, 2.6 pixels.
        float[] bar = new float[400 * 400];
        for (int y = 50; y < 350; y++) {
            for (int x = 170; x < 230; x++) bar[y * 400 + x] = 1f;
        }
        float[] x = P.fromImage(paper(400, 400, bar), PreprocessMode.MNIST);
        double ink = 0;
        for (int c = 0; c < 28; c++) ink += x[14 * 28 + c];
        assertTrue(ink >= 1.8 && ink <= 2.9, "the bar's middle row holds " + ink + " pixels of ink, not about 2");
        assertTrue(box(x, 0.5f)[1] >= 19, "the bar is " + box(x, 0.5f)[1] + " tall");
    }

    @Test
    void aThickClosedFourIsThinnedToMnistWidth() throws ImageException {
        // A closed 4 drawn with a pen 19% of its height: ~3.8 pixels once fitted, thinned to 2.6.
        Path2D.Double p = new Path2D.Double();
        p.moveTo(230, 60);
        p.lineTo(120, 230);
        p.lineTo(290, 230);
        p.moveTo(230, 60);
        p.lineTo(230, 340);
        p.closePath();
        float[] four = SampleImages.stroke(400, 400, p, 64);
        float[] x = P.fromImage(paper(400, 400, four), PreprocessMode.MNIST);
        double width = StrokeWidth.width(x, 28, 28, true);
        assertTrue(width >= 1.8 && width <= 2.9, "fitted stroke width " + width + ", not about 2");
        int[] core = box(x, 0.5f);
        assertEquals(20, Math.max(core[0], core[1]), 1, "core " + core[0] + " x " + core[1]);
    }

    @Test
    void strokesOfMnistWidthAreLeftAlone() throws ImageException {
        // The same 9 with a pen of MNIST's width (12% of the digit's height, 2.4 pixels fitted; MNIST's
        // median is 10%, its 90th percentile 14%) is neither thickened nor thinned.
        Plane plane = new Plane(nine(40), 400, 400);
        assertSame(plane, StrokeWidth.normalise(plane, Crop.core(plane).side()), "a 40-unit pen on a 340-unit 9 was changed");
        double width = StrokeWidth.width(P.fromImage(paper(400, 400, nine(40)), PreprocessMode.MNIST), 28, 28, true);
        assertTrue(width >= 2 && width <= 2.8, "fitted stroke width " + width);
    }
}
