package lanes.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Stage 2, luminance and ink polarity: grey rasters (8 or 16 bits) are read as stored; every other colour
 * model goes through {@code getRGB} (sRGB, 8 bits per channel). Luminance uses the Rec. 601 weights;
 * transparent pixels are composited on the paper given. Then which way the ink runs: {@link #darkInk}.
 */
final class Luminance {
    private Luminance() {}

    /** Per-row pixel access: grey rasters as stored (no colour management), everything else as sRGB ARGB. */
    static final class Rows {
        final BufferedImage image;
        final Raster raster;
        final int width;
        /** Grey raster read as stored; getRGB would apply a linear-to-sRGB curve to CS_GRAY. */
        final boolean rawGrey;
        final boolean hasAlpha;
        final int greyMax, alphaMax;
        final int[] grey, alpha, argb;

        Rows(BufferedImage image) {
            this.image = image;
            this.raster = image.getRaster();
            this.width = image.getWidth();
            ColorModel cm = image.getColorModel();
            int type = raster.getTransferType();
            boolean grey = cm instanceof ComponentColorModel
                    && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                    && !cm.isAlphaPremultiplied()
                    && cm.getNumComponents() == raster.getNumBands()
                    && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT);
            for (int b = 0; grey && b < cm.getNumComponents(); b++) grey = cm.getComponentSize(b) <= 16;
            this.rawGrey = grey;
            this.hasAlpha = grey && cm.hasAlpha();
            this.greyMax = grey ? (1 << cm.getComponentSize(0)) - 1 : 255;
            this.alphaMax = hasAlpha ? (1 << cm.getComponentSize(1)) - 1 : 255;
            this.grey = grey ? new int[width] : null;
            this.alpha = hasAlpha ? new int[width] : null;
            this.argb = grey ? null : new int[width];
        }

        void read(int y) {
            if (rawGrey) {
                raster.getSamples(0, y, width, 1, 0, grey);
                if (hasAlpha) raster.getSamples(0, y, width, 1, 1, alpha);
            } else {
                image.getRGB(0, y, width, 1, argb, 0, width);
            }
        }

        /** Luminance in [0, 1] of row {@code y}, composited over {@code paper} (1 white, 0 black). */
        void luminance(int y, float paper, float[] out) {
            read(y);
            for (int x = 0; x < width; x++) {
                float v, a;
                if (rawGrey) {
                    v = grey[x] / (float) greyMax;
                    a = hasAlpha ? alpha[x] / (float) alphaMax : 1f;
                } else {
                    int p = argb[x];
                    v = (0.299f * ((p >> 16) & 255) + 0.587f * ((p >> 8) & 255) + 0.114f * (p & 255)) / 255f;
                    a = (p >>> 24) / 255f;
                }
                out[x] = a == 1f ? v : a * v + (1f - a) * paper;
            }
        }

        /** Pillow's {@code convert("L")} of row {@code y} (0..255), alpha composited on white first. */
        void luma8(int y, int[] out) {
            read(y);
            for (int x = 0; x < width; x++) {
                if (rawGrey) {
                    int g = (int) ((grey[x] * 255L * 2 + greyMax) / (2L * greyMax)); // round(g * 255 / max)
                    int a = hasAlpha ? (int) ((alpha[x] * 255L * 2 + alphaMax) / (2L * alphaMax)) : 255;
                    out[x] = over8(g, a);
                } else {
                    int p = argb[x], a = p >>> 24;
                    int r = over8((p >> 16) & 255, a), g = over8((p >> 8) & 255, a), b = over8(p & 255, a);
                    // Pillow's L24: R*299/1000 + G*587/1000 + B*114/1000 in 16-bit fixed point, rounded.
                    out[x] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
                }
            }
        }

        private static int over8(int c, int a) {
            return (c * a + 255 * (255 - a) + 127) / 255;
        }
    }

    /**
     * Luminance in [0, 1], composited over {@code paper}, box-averaged by {@code k} on both axes (partial
     * blocks at the right and bottom edges average what they have). Returns {@code ceil(w/k) * ceil(h/k)} values.
     */
    static float[] luminance(BufferedImage image, float paper, int k) {
        int w = image.getWidth(), h = image.getHeight();
        Rows rows = new Rows(image);
        float[] row = new float[w];
        if (k == 1) {
            float[] out = new float[w * h];
            for (int y = 0; y < h; y++) {
                rows.luminance(y, paper, row);
                System.arraycopy(row, 0, out, y * w, w);
            }
            return out;
        }
        float[] out = new float[Math.ceilDiv(w, k) * Math.ceilDiv(h, k)];
        for (int y = 0; y < h; y++) {
            rows.luminance(y, paper, row);
            Cells.addToCells(row, 0, y, w, k, out);
        }
        Cells.means(out, w, h, k);
        return out;
    }

    /**
     * Dark ink on light paper? The ink covers less than half the image, so the median is paper and the mean
     * is pulled toward the ink. A tie (a symmetric histogram) falls back on the border: light border, dark ink.
     */
    static boolean darkInk(float[] lum, int w, int h) {
        int bins = 1 << 16;
        int[] hist = new int[bins];
        double sum = 0;
        for (float v : lum) {
            sum += v;
            hist[Histogram.binOf(v, 1f, bins)]++;
        }
        double mean = sum / lum.length;
        double median = (Histogram.quantileBin(hist, lum.length, 0.5) + 0.5) / bins;
        if (mean < median - 0.5 / bins) return true;
        if (mean > median + 0.5 / bins) return false;
        double border = 0;
        int n = 0;
        for (int x = 0; x < w; x++) {
            border += lum[x] + lum[(h - 1) * w + x];
            n += 2;
        }
        for (int y = 0; y < h; y++) {
            border += lum[y * w] + lum[y * w + w - 1];
            n += 2;
        }
        return border / n >= 0.5;
    }
}
