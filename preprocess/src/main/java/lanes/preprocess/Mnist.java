package lanes.preprocess;

import java.awt.image.BufferedImage;

/**
 * {@link PreprocessMode#MNIST}: the stages in order, each in its own class.
 * <ol>
 * <li>{@link Luminance}: grey levels, and the ink's polarity (the ink is the minority, so the mean sits on
 *     the ink's side of the median);
 * <li>{@link Background}: a morphological opening on a coarse grid of cell means, wider than any stroke,
 *     follows uneven lighting; what rises above it is the ink, rescaled so its typical level is 1 with a
 *     floor at the paper's median + 4 sigma (kept between half and all of the Otsu threshold), so paper
 *     texture and JPEG noise become 0; an image whose ink does not stand out by
 *     {@link Background#MIN_CONTRAST} is blank;
 * <li>{@link Specks}: 8-connected blobs with under {@link Specks#SPECK_FRACTION} of the largest blob's ink
 *     are erased;
 * <li>{@link Crop} to the ink, {@link Fit} to the working resolution, {@link StrokeWidth} (thicken strokes
 *     thinner than {@link StrokeWidth#STROKE_FRACTION} of the digit, thin those thicker than
 *     {@link StrokeWidth#THIN_ABOVE}), {@link Crop} to the strokes' core keeping a halo, {@link Fit} the
 *     core in 20 x 20 keeping the aspect ratio (area average when shrinking, bilinear when enlarging),
 *     and {@link Centre} the centre of mass at (14, 14).
 * </ol>
 */
final class Mnist {
    /** Larger images are box-averaged down to about this many pixels before the MNIST steps. */
    static final long WORKING_PIXELS = 4_000_000L;

    private Mnist() {}

    static float[] mnist(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        long pixels = (long) w * h;
        int k = pixels > WORKING_PIXELS ? (int) Math.ceil(Math.sqrt((double) pixels / WORKING_PIXELS)) : 1;
        float[] lum = Luminance.luminance(image, 1f, k);
        return mnist(lum, Math.ceilDiv(w, k), Math.ceilDiv(h, k), name);
    }

    /** The MNIST steps on a luminance image (white paper = 1); {@code lum} is overwritten. */
    static float[] mnist(float[] lum, int w, int h, String name) throws ImageException {
        float[] ink = lum;
        if (Luminance.darkInk(lum, w, h)) {
            for (int i = 0; i < ink.length; i++) ink[i] = 1f - lum[i];
        }
        Background.subtract(ink, w, h);
        Background.normalise(ink, name);
        Specks.remove(ink, w, h);

        Plane work = Fit.toWorking(Crop.toInk(ink, w, h, name));
        work = StrokeWidth.normalise(work, Crop.core(work).side());
        Crop.Box core = Crop.core(work);
        Plane digit = Fit.toBox(Crop.withHalo(work, core), core.side());
        return Centre.centre(digit.values(), digit.width(), digit.height(), name);
    }
}
