package lanes.engine;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns an image (PNG, GIF, JPEG, BMP, whatever the JDK's ImageIO reads) into the 784 inputs of a 28 x 28
 * digit model: row-major, values in [0, 1], 1 = ink, MNIST polarity (white digit on black).
 *
 * <p>Decoding is defensive, since files come from users: the size is read from the header and checked
 * against {@link #maxPixels()} before any pixel is decoded, and whatever a decoder throws becomes an
 * {@link ImageException} naming the source (when memory runs out, with the {@link OutOfMemoryError} as
 * its cause). Images of more than {@link #DECODE_PIXELS} pixels are decoded with every s-th pixel of
 * every s-th row, the smallest s that brings them under it. Nothing is cached on disk: streams are built
 * directly rather than through {@code ImageIO.createImageInputStream}, whose cache would write temporary
 * files, and the process-wide {@code ImageIO.setUseCache} is left alone for the application that embeds
 * the engine.
 *
 * <p>Colour: grey rasters (8 or 16 bits) are read as stored; every other colour model goes through
 * {@code getRGB} (sRGB, 8 bits per channel). Luminance uses the Rec. 601 weights; transparent pixels are
 * composited on white paper (on black in {@link PreprocessMode#NONE}, whose paper is black).
 *
 * <p>{@link PreprocessMode#MNIST}, in brief (details on the methods below):
 * <ol>
 * <li>polarity: the ink is the minority, so the mean sits on the ink's side of the median;
 * <li>background: a morphological opening on a coarse grid of cell means, wider than any stroke, follows
 *     uneven lighting; what rises above it is the ink;
 * <li>noise: the ink is rescaled so its typical level is 1, with a floor at the paper's median + 4 sigma
 *     (kept between half and all of the Otsu threshold), so paper texture and JPEG noise become 0;
 *     an image whose ink does not stand out by {@link #MIN_CONTRAST} is blank;
 * <li>specks: 8-connected blobs with under {@link #SPECK_FRACTION} of the largest blob's ink are erased;
 * <li>crop to the ink, thicken strokes thinner than {@link #STROKE_FRACTION} of the digit (a pen line in a
 *     large photo would otherwise shrink to nothing), fit 20 x 20 keeping the aspect ratio (area average
 *     when shrinking, bilinear when enlarging), and shift so the centre of mass is at (14, 14).
 * </ol>
 *
 * <p>Instances hold only the pixel limit and are safe to share between threads.
 */
public final class ImagePreprocessor {
    /** Side of the model input. */
    public static final int SIDE = 28;
    /** Number of model inputs, {@code SIDE * SIDE}. */
    public static final int INPUT_SIZE = SIDE * SIDE;
    /** Default decoding limit: a 50-megapixel image decodes to about 200 MB. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** MNIST digits are fitted in a 20 x 20 box inside the 28 x 28 field. */
    static final int FIT = 20;
    /** MNIST centres the centre of mass at this pixel index, on both axes. */
    static final double CENTRE = 14.0;
    /** Larger images are box-averaged down to about this many pixels before the MNIST steps. */
    static final long WORKING_PIXELS = 4_000_000L;
    /**
     * Larger images are subsampled while they are decoded, since the decoded image is the largest allocation
     * (4 bytes a pixel for RGBA, 8 for 16-bit RGBA): a 50-megapixel RGBA image would take 200 MB, a quarter
     * of that this way. Subsampling picks pixels rather than averaging them, so the limit is generous: four
     * times {@link #WORKING_PIXELS}, and the MNIST steps still average several decoded pixels into each
     * working pixel. Smaller images are decoded whole, as before; SEED mode reproduces Pillow on the image
     * as decoded.
     */
    static final long DECODE_PIXELS = 4 * WORKING_PIXELS;
    /** Ink must differ from the paper by this much (in [0, 1] luminance) to count. */
    static final float MIN_CONTRAST = 0.08f;
    /** Blobs with less ink than this fraction of the largest blob are specks. */
    static final float SPECK_FRACTION = 0.05f;
    /** Strokes are thickened to at least this fraction of the digit's longer side (MNIST: 2 of 20 pixels). */
    static final float STROKE_FRACTION = 0.1f;
    /** The crop is shrunk to this side before strokes are measured: 4x the final resolution. */
    static final int WORK_SIDE = 4 * FIT;
    /** {@link PreprocessMode#SEED}: a resized grey level below this (of 255) is ink. */
    static final int SEED_THRESHOLD = 75;

    static final String FORMATS = "PNG, GIF, JPEG, BMP";

    private final long maxPixels;
    private final long decodePixels;

    /** A preprocessor with the default limit of {@value #DEFAULT_MAX_PIXELS} pixels. */
    public ImagePreprocessor() {
        this(DEFAULT_MAX_PIXELS);
    }

    /** A preprocessor refusing images of more than {@code maxPixels} pixels, before decoding them. */
    public ImagePreprocessor(long maxPixels) {
        this(maxPixels, DECODE_PIXELS);
    }

    /** As {@link #ImagePreprocessor(long)}, subsampling images of more than {@code decodePixels} (tests). */
    ImagePreprocessor(long maxPixels, long decodePixels) {
        if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be at least 1, is " + maxPixels);
        if (decodePixels < 1) throw new IllegalArgumentException("decodePixels must be at least 1, is " + decodePixels);
        this.maxPixels = maxPixels;
        this.decodePixels = decodePixels;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Reads an image file and returns the {@value #INPUT_SIZE} model inputs. */
    public float[] preprocess(Path file, PreprocessMode mode) throws ImageException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        String name = file.toString();
        if (Files.isDirectory(file)) throw new ImageException(name, "is a directory, not an image file");
        if (!Files.exists(file)) throw new ImageException(name, "no such file");
        ImageInputStream in;
        try {
            in = file.getFileSystem() == FileSystems.getDefault()
                    ? new FileImageInputStream(file.toFile())
                    : new MemoryCacheImageInputStream(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            throw new ImageException(name, "cannot open the file: " + BadInputException.problem(e, name), e);
        }
        return process(decode(in, name), mode, name);
    }

    /**
     * As {@link #preprocess(Path, PreprocessMode)} for an image already in memory; {@code name} labels it in
     * messages. The same decoding path as for files, so it is the one to fuzz.
     */
    public float[] preprocess(byte[] data, String name, PreprocessMode mode) throws ImageException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(mode, "mode");
        String label = name == null ? "image data" : name;
        return process(decode(new MemoryCacheImageInputStream(new ByteArrayInputStream(data)), label), mode, label);
    }

    /** The model inputs of a decoded image (no pixel limit: it is already in memory). */
    public float[] fromImage(BufferedImage image, PreprocessMode mode) throws ImageException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mode, "mode");
        return process(image, mode, "image");
    }

    /**
     * Renders model inputs as a greyscale image, white ink on black like MNIST, each input pixel a
     * {@code scale x scale} square: what the model sees, for {@code --dump-input}.
     */
    public static BufferedImage toImage(float[] input28x28, int scale) {
        if (input28x28 == null || input28x28.length != INPUT_SIZE) throw new IllegalArgumentException(
                "input must have " + INPUT_SIZE + " values, has " + (input28x28 == null ? "none (null)" : input28x28.length));
        if (scale < 1 || scale > 64) throw new IllegalArgumentException("scale must be 1 to 64, is " + scale);
        int side = SIDE * scale;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        int[] row = new int[side];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float v = input28x28[y * SIDE + x];
                int grey = Math.round(clamp01(v) * 255f); // NaN and negatives are 0
                for (int s = 0; s < scale; s++) row[x * scale + s] = grey;
            }
            for (int s = 0; s < scale; s++) raster.setSamples(0, y * scale + s, side, 1, 0, row);
        }
        return image;
    }

    // ------------------------------------------------------------------------------------------------
    // Decoding

    /** Decodes the first image (the first frame of an animation), closing the stream. */
    private BufferedImage decode(ImageInputStream in, String name) throws ImageException {
        ImageReader reader = null;
        int w = 0, h = 0;
        try (in) {
            if (in.read() < 0) throw new ImageException(name, "empty (0 bytes), not an image");
            in.seek(0);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new ImageException(name, "not an image format we can read (" + FORMATS + ")");
            reader = readers.next();
            reader.setInput(in, true, true);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            w = reader.getWidth(0);
            h = reader.getHeight(0);
            checkSize(name, w, h);
            int s = subsampling(w, h, decodePixels);
            ImageReadParam param = null;
            if (s > 1) {
                param = reader.getDefaultReadParam();
                param.setSourceSubsampling(s, s, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            // The JPEG reader fills a cut-off file with grey and only warns; other warnings (stray bytes
            // before a marker, a missing end marker after complete data) are common in camera files.
            for (String warning : warnings) {
                if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end"))
                    throw new ImageException(name, "truncated or corrupt image data: " + warning);
            }
            if (image == null) throw new ImageException(name, "truncated or corrupt image data: the decoder returned no image");
            checkSize(name, image.getWidth(), image.getHeight());
            return image;
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // RuntimeException: ImageIO plugins have thrown IllegalArgument, IndexOutOfBounds, NegativeArraySize,
            // Arithmetic, NullPointer and ClassCast exceptions on crafted files.
            throw decodingFailed(name, e, w, h);
        } finally {
            if (reader != null) reader.dispose();
        }
    }

    /** The smallest step s for which every s-th pixel of every s-th row is at most {@code limit} pixels. */
    static int subsampling(int w, int h, long limit) {
        int s = 1;
        while ((long) Math.ceilDiv(w, s) * Math.ceilDiv(h, s) > limit) s++;
        return s;
    }

    /**
     * What a decoder's failure means for the user. Memory running out is not corrupt data, though the PNG
     * reader, for one, wraps the {@link OutOfMemoryError} in an IIOException ("Caught exception during read").
     * The pixel limit bounds the image, not the heap or the decoder's own tables; the failed allocation is
     * garbage by now. {@code w} and {@code h} are the header's size, 0 when not read yet.
     */
    static ImageException decodingFailed(String name, Throwable e, int w, int h) {
        OutOfMemoryError oom = outOfMemory(e);
        if (oom != null) return new ImageException(name, "not enough memory to decode "
                + (w > 0 && h > 0 ? "a " + w + " x " + h + " image" : "the image"), oom);
        return new ImageException(name, problem(e), e);
    }

    /** The {@link OutOfMemoryError} in {@code e}'s chain of causes, or null. */
    private static OutOfMemoryError outOfMemory(Throwable e) {
        for (int depth = 0; e != null && depth < 32; e = e.getCause(), depth++) { // a bound, against cyclic chains
            if (e instanceof OutOfMemoryError oom) return oom;
        }
        return null;
    }

    private void checkSize(String name, int w, int h) throws ImageException {
        if (w <= 0 || h <= 0) throw new ImageException(name, "zero-size image (" + w + " x " + h + ")");
        long pixels = (long) w * h;
        if (pixels > maxPixels) throw new ImageException(name,
                "image is " + w + " x " + h + " = " + pixels + " pixels, over the limit of " + maxPixels);
    }

    private static String problem(Throwable e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unsupported Image Type")) return
                "a JPEG colour type this JDK cannot decode (usually CMYK or YCCK); convert the image to RGB";
        if (e instanceof EOFException || e.getCause() instanceof EOFException)
            return "truncated or corrupt image data: unexpected end of data";
        return "truncated or corrupt image data: " + describe(e);
    }

    private static String describe(Throwable e) {
        return BadInputException.problem(e, null);
    }

    private static float[] process(BufferedImage image, PreprocessMode mode, String name) throws ImageException {
        try {
            return switch (mode) {
                case MNIST -> mnist(image, name);
                case SEED -> seed(image, name);
                case NONE -> none(image, name);
            };
        } catch (RuntimeException e) {
            // Colour conversion of exotic colour models (ICC profiles, odd TIFF layouts) can throw CMMException
            // or IllegalArgumentException from getRGB; the caller gets an ImageException, cause attached.
            throw new ImageException(name, "cannot convert the image's colours: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(name, "not enough memory to preprocess the image", e);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Colour

    /** Per-row pixel access: grey rasters as stored (no colour management), everything else as sRGB ARGB. */
    private static final class Rows {
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
            addToCells(row, 0, y, w, k, out);
        }
        cellMeans(out, w, h, k);
        return out;
    }

    /**
     * Sums of {@code in} ({@code w x h}) over cells of {@code c x c} pixels, the cells at the right and bottom
     * edges partial: {@code ceil(w/c) * ceil(h/c)} values, row-major.
     */
    private static float[] cellSums(float[] in, int w, int h, int c) {
        float[] cells = new float[Math.ceilDiv(w, c) * Math.ceilDiv(h, c)];
        for (int y = 0; y < h; y++) addToCells(in, y * w, y, w, c, cells);
        return cells;
    }

    /** Adds image row {@code y} ({@code w} values at {@code row[from...]}) to the cells it falls in. */
    private static void addToCells(float[] row, int from, int y, int w, int c, float[] cells) {
        int o = (y / c) * Math.ceilDiv(w, c);
        for (int x = 0; x < w; x++) cells[o + x / c] += row[from + x];
    }

    /** Turns the {@link #cellSums} of a {@code w x h} image into means, each over the pixels its cell holds. */
    private static void cellMeans(float[] cells, int w, int h, int c) {
        int gw = Math.ceilDiv(w, c), gh = Math.ceilDiv(h, c);
        for (int cy = 0; cy < gh; cy++) {
            int rows = Math.min(c, h - cy * c);
            for (int cx = 0; cx < gw; cx++) cells[cy * gw + cx] /= rows * Math.min(c, w - cx * c);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // SEED and NONE

    /**
     * The original tutorial's {@code judge_image}: {@code Image.open(f).convert("L").resize((28, 28))}, then
     * a pixel below 75 is ink (1) and anything else 0. The resize is Pillow's {@code Image.BOX} filter,
     * reproduced exactly as in its {@code libImaging/Resample.c}: a horizontal pass then a vertical one,
     * each rounded to 8 bits; per output pixel the input pixels whose centres fall in its box, equally
     * weighted, with 22-bit fixed-point coefficients. Pillow's default BICUBIC differs by a few grey levels
     * at edges. Two deliberate differences from Pillow: alpha is composited on white (Pillow's
     * {@code convert} drops it, so a transparent background reads as whatever colour the transparent pixels
     * hold, often black), and 16-bit grey is scaled to 8 bits (Pillow clips it at 255).
     *
     * <p>Unlike the tutorial, a blank image (one grey level throughout) is refused as in MNIST mode: its
     * 28 x 28 is all ink or all paper, and the network's answer for it would mean nothing.
     */
    private static float[] seed(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        Rows rows = new Rows(image);
        Coefficients cx = Coefficients.box(w, SIDE), cy = Coefficients.box(h, SIDE);
        // Both passes run as rows are read: each 28-wide row is added at once to the output rows whose box
        // holds it, so memory is 28 x 28 sums whatever the image's height. Integer sums: the same bits in
        // any order, so the same as Pillow's vertical pass over a stored h x 28 image.
        int[] row = new int[w], narrow = new int[SIDE];
        long[] sums = new long[INPUT_SIZE];
        int lowest = 255, highest = 0;
        for (int y = 0; y < h; y++) {
            rows.luma8(y, row);
            for (int x = 0; x < w; x++) {
                lowest = Math.min(lowest, row[x]);
                highest = Math.max(highest, row[x]);
            }
            for (int x = 0; x < SIDE; x++) narrow[x] = cx.apply(x, row, 0, 1);
            for (int o = 0; o < SIDE; o++) cy.accumulate(o, y, narrow, sums, o * SIDE);
        }
        if (lowest == highest) throw noInk(name);
        float[] out = new float[INPUT_SIZE];
        int ink = 0;
        for (int i = 0; i < INPUT_SIZE; i++) {
            out[i] = Coefficients.level(sums[i]) < SEED_THRESHOLD ? 1f : 0f;
            ink += (int) out[i];
        }
        // Not blank, yet the threshold left nothing (faint strokes) or everything (a dark image): the
        // network would answer an empty or a solid square, which says nothing about the image.
        if (ink == 0 || ink == INPUT_SIZE) throw new ImageException(name, "no ink found at the seed threshold: after"
                + " resizing to 28 x 28, " + (ink == 0 ? "no" : "every") + " pixel is darker than " + SEED_THRESHOLD
                + " of 255 (MNIST mode finds fainter ink)");
        return out;
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for the box filter. */
    private record Coefficients(int[] first, int[][] k) {
        static final int PRECISION_BITS = 32 - 8 - 2;

        static Coefficients box(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(1.0, scale);
            double support = 0.5 * filterScale;
            int[] first = new int[outSize];
            int[][] k = new int[outSize][];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] weights = new double[Math.max(0, xmax)];
                double ww = 0;
                for (int x = 0; x < weights.length; x++) {
                    double t = (x + xmin - center + 0.5) * ss;
                    weights[x] = t > -0.5 && t <= 0.5 ? 1.0 : 0.0;
                    ww += weights[x];
                }
                k[o] = new int[weights.length];
                for (int x = 0; x < weights.length; x++) {
                    double c = ww != 0.0 ? weights[x] / ww : weights[x];
                    k[o][x] = (int) (0.5 + c * (1 << PRECISION_BITS));
                }
                first[o] = xmin;
            }
            return new Coefficients(first, k);
        }

        int apply(int o, int[] src, int offset, int stride) {
            long ss = 0;
            int[] ko = k[o];
            for (int i = 0; i < ko.length; i++) ss += (long) src[offset + (first[o] + i) * stride] * ko[i];
            return level(ss);
        }

        /** If input {@code i} is in output {@code o}'s box: {@code sums[at + j] += values[j] * weight}, j < 28. */
        void accumulate(int o, int i, int[] values, long[] sums, int at) {
            int j = i - first[o];
            if (j < 0 || j >= k[o].length) return;
            long weight = k[o][j];
            for (int x = 0; x < values.length; x++) sums[at + x] += values[x] * weight;
        }

        /** A weighted sum back to 8 bits: rounded half up, clipped to 0..255. */
        static int level(long sum) {
            long ss = sum + (1L << (PRECISION_BITS - 1));
            return (int) Math.max(0, Math.min(255, ss >> PRECISION_BITS));
        }
    }

    /** The image as it is: 28 x 28, luminance / 255, transparent pixels on black (MNIST's paper). */
    private static float[] none(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        if (w != SIDE || h != SIDE) throw new ImageException(name, "mode none needs a " + SIDE + " x " + SIDE
                + " image (white digit on black, like MNIST); this one is " + w + " x " + h
                + ": use mode mnist to crop and scale it");
        float[] out = luminance(image, 0f, 1);
        for (int i = 0; i < out.length; i++) out[i] = clamp01(out[i]);
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // MNIST

    private static float[] mnist(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        long pixels = (long) w * h;
        int k = pixels > WORKING_PIXELS ? (int) Math.ceil(Math.sqrt((double) pixels / WORKING_PIXELS)) : 1;
        float[] lum = luminance(image, 1f, k);
        return mnist(lum, Math.ceilDiv(w, k), Math.ceilDiv(h, k), name);
    }

    /** The MNIST steps on a luminance image (white paper = 1); {@code lum} is overwritten. */
    static float[] mnist(float[] lum, int w, int h, String name) throws ImageException {
        float[] ink = lum;
        if (darkInk(lum, w, h)) {
            for (int i = 0; i < ink.length; i++) ink[i] = 1f - lum[i];
        }
        subtractBackground(ink, w, h);
        normalise(ink, name);
        removeSpecks(ink, w, h);

        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] > 0) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
            }
        }
        if (x1 < 0) throw noInk(name);
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        float[] crop = new float[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(ink, (y0 + y) * w + x0, crop, y * cw, cw);

        // Shrink to the working resolution, where stroke width is measured and corrected.
        double workScale = Math.min(1.0, (double) WORK_SIDE / Math.max(cw, ch));
        int ww = Math.max(1, (int) Math.round(cw * workScale)), wh = Math.max(1, (int) Math.round(ch * workScale));
        float[] work = resize(crop, cw, ch, ww, wh);
        int pad = thickening(work, ww, wh);
        if (pad > 0) {
            work = dilate(work, ww, wh, pad);
            ww += 2 * pad;
            wh += 2 * pad;
        }

        double fit = (double) FIT / Math.max(ww, wh);
        int ow = clamp((int) Math.round(ww * fit), 1, FIT), oh = clamp((int) Math.round(wh * fit), 1, FIT);
        float[] digit = resize(work, ww, wh, ow, oh);
        return centre(digit, ow, oh, name);
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
            hist[binOf(v, 1f, bins)]++;
        }
        double mean = sum / lum.length;
        double median = (quantileBin(hist, lum.length, 0.5) + 0.5) / bins;
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

    /**
     * Subtracts the paper level (ink is high here), following uneven lighting: a grid of cell means (at most
     * 64 cells a side), a greyscale opening (minimum then maximum filter) with a window of half the image's
     * longer side, which removes anything narrower (the strokes) and keeps broad shading, then bilinear
     * interpolation back to pixels. Negative residuals (paper brighter than its surroundings) become 0.
     */
    static void subtractBackground(float[] ink, int w, int h) {
        int c = Math.max(1, Math.ceilDiv(Math.max(w, h), 64));
        int gw = Math.ceilDiv(w, c), gh = Math.ceilDiv(h, c);
        float[] cells = cellSums(ink, w, h, c);
        cellMeans(cells, w, h, c);
        int r = Math.max(1, (int) Math.ceil(0.25 * Math.max(gw, gh)));
        float[] bg = filter(filter(cells, gw, gh, r, false), gw, gh, r, true);

        int[] ix = new int[w];
        float[] fx = new float[w];
        for (int x = 0; x < w; x++) {
            float g = Math.max(0f, Math.min(gw - 1f, (x + 0.5f) / c - 0.5f));
            ix[x] = Math.min((int) g, gw - 2 < 0 ? 0 : gw - 2);
            fx[x] = gw == 1 ? 0f : g - ix[x];
        }
        for (int y = 0; y < h; y++) {
            float g = Math.max(0f, Math.min(gh - 1f, (y + 0.5f) / c - 0.5f));
            int iy = Math.min((int) g, gh - 2 < 0 ? 0 : gh - 2);
            float fy = gh == 1 ? 0f : g - iy;
            int r0 = iy * gw, r1 = gh == 1 ? r0 : r0 + gw;
            for (int x = 0; x < w; x++) {
                int i0 = ix[x], i1 = gw == 1 ? i0 : i0 + 1;
                float top = bg[r0 + i0] + fx[x] * (bg[r0 + i1] - bg[r0 + i0]);
                float bottom = bg[r1 + i0] + fx[x] * (bg[r1 + i1] - bg[r1 + i0]);
                float level = top + fy * (bottom - top);
                int i = y * w + x;
                ink[i] = Math.max(0f, ink[i] - level);
            }
        }
    }

    /** Separable square minimum ({@code max == false}) or maximum filter of radius {@code r}, clipped at the edges. */
    private static float[] filter(float[] in, int w, int h, int r, boolean max) {
        float[] tmp = new float[w * h], out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = in[y * w + x];
                for (int j = Math.max(0, x - r), end = Math.min(w - 1, x + r); j <= end; j++) {
                    m = max ? Math.max(m, in[y * w + j]) : Math.min(m, in[y * w + j]);
                }
                tmp[y * w + x] = m;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = tmp[y * w + x];
                for (int j = Math.max(0, y - r), end = Math.min(h - 1, y + r); j <= end; j++) {
                    m = max ? Math.max(m, tmp[j * w + x]) : Math.min(m, tmp[j * w + x]);
                }
                out[y * w + x] = m;
            }
        }
        return out;
    }

    /**
     * Rescales the ink so its typical level is 1 and zeroes the noise. On a histogram of the residuals:
     * Otsu's threshold {@code t} splits paper from ink; the ink level {@code hi} is the median above
     * {@code t}; the floor {@code lo} is the paper's median + 4 sigma (the paper being most of the image),
     * kept between {@code t / 2} and {@code t}. Then {@code v -> (v - lo) / (hi - lo)}, clamped to [0, 1].
     * Blank if the ink does not clear the floor by {@code MIN_CONTRAST / 2}.
     */
    static void normalise(float[] ink, String name) throws ImageException {
        float max = 0f;
        for (float v : ink) max = Math.max(max, v);
        if (!(max >= MIN_CONTRAST)) throw noInk(name);
        int bins = 1024;
        int[] hist = new int[bins];
        for (float v : ink) hist[binOf(v, max, bins)]++;
        int n = ink.length;
        int t = otsu(hist, n);
        float binWidth = max / bins;
        float threshold = t * binWidth;
        int above = 0;
        for (int b = t; b < bins; b++) above += hist[b];
        int hiBin = t;
        for (int seen = 0, half = (above + 1) / 2; hiBin < bins; hiBin++) {
            seen += hist[hiBin];
            if (seen >= half) break;
        }
        float hi = (Math.min(hiBin, bins - 1) + 0.5f) * binWidth;
        // Grain: from the upper side only, since residuals below the background were clipped to 0 (the
        // MAD would collapse onto the median). q75 - q50 = 0.6745 sigma for normal noise.
        int q50 = quantileBin(hist, n, 0.5), q75 = quantileBin(hist, n, 0.75);
        float median = (q50 + 0.5f) * binWidth;
        float sigma = (q75 - q50) * binWidth / 0.6745f;
        // Capped at Otsu's threshold: with over a quarter of the image inked, q75 is ink, not grain.
        float lo = Math.max(0.5f * threshold, Math.min(threshold, median + 4f * sigma));
        if (hi - lo < MIN_CONTRAST / 2) throw noInk(name);
        float scale = 1f / (hi - lo);
        for (int i = 0; i < n; i++) ink[i] = clamp01((ink[i] - lo) * scale);
    }

    /** Otsu's threshold: the first bin of the upper class that maximises the between-class variance. */
    static int otsu(int[] hist, int n) {
        double total = 0;
        for (int b = 0; b < hist.length; b++) total += (double) b * hist[b];
        double sumLow = 0, best = -1;
        long low = 0;
        int t = 1;
        for (int b = 0; b < hist.length - 1; b++) {
            low += hist[b];
            sumLow += (double) b * hist[b];
            long high = n - low;
            if (low == 0 || high == 0) continue;
            double d = sumLow / low - (total - sumLow) / high;
            double between = (double) low * high * d * d;
            if (between > best) {
                best = between;
                t = b + 1;
            }
        }
        return t;
    }

    /**
     * Erases specks: on a grid of at most 256 cells a side (a cell is inked if any pixel in it is), finds
     * 8-connected blobs and zeroes every blob with less ink than {@link #SPECK_FRACTION} of the largest.
     */
    static void removeSpecks(float[] ink, int w, int h) {
        int f = Math.max(1, Math.ceilDiv(Math.max(w, h), 256));
        int gw = Math.ceilDiv(w, f), gh = Math.ceilDiv(h, f);
        float[] mass = cellSums(ink, w, h, f);
        int[] label = new int[gw * gh];
        int[] queue = new int[gw * gh];
        List<Double> blobs = new ArrayList<>();
        for (int start = 0; start < mass.length; start++) {
            if (mass[start] <= 0 || label[start] != 0) continue;
            int id = blobs.size() + 1;
            double total = 0;
            int head = 0, tail = 0;
            queue[tail++] = start;
            label[start] = id;
            while (head < tail) {
                int cell = queue[head++];
                total += mass[cell];
                int cx = cell % gw, cy = cell / gw;
                for (int ny = Math.max(0, cy - 1); ny <= Math.min(gh - 1, cy + 1); ny++) {
                    for (int nx = Math.max(0, cx - 1); nx <= Math.min(gw - 1, cx + 1); nx++) {
                        int nb = ny * gw + nx;
                        if (mass[nb] > 0 && label[nb] == 0) {
                            label[nb] = id;
                            queue[tail++] = nb;
                        }
                    }
                }
            }
            blobs.add(total);
        }
        if (blobs.size() < 2) return;
        double largest = 0;
        for (double m : blobs) largest = Math.max(largest, m);
        boolean[] speck = new boolean[blobs.size() + 1];
        boolean any = false;
        for (int b = 0; b < blobs.size(); b++) {
            speck[b + 1] = blobs.get(b) < SPECK_FRACTION * largest;
            any |= speck[b + 1];
        }
        if (!any) return;
        for (int y = 0; y < h; y++) {
            int o = (y / f) * gw;
            for (int x = 0; x < w; x++) {
                if (speck[label[o + x / f]]) ink[y * w + x] = 0f;
            }
        }
    }

    /**
     * How far to dilate so strokes are at least {@link #STROKE_FRACTION} of the longer side: the stroke width
     * is estimated as 2 * ink / perimeter (a stroke of length L and width W has ink L*W and perimeter about
     * 2L), ink being the sum of values relative to the peak and the perimeter the edges between pixels above
     * and below half the peak. Relative to the peak because a pen line shrunk from a large photo is faint as
     * well as thin, and {@link #centre} rescales the peak to 1. Returns the radius, 0 if thick enough.
     */
    static int thickening(float[] work, int w, int h) {
        float peak = 0f;
        double ink = 0;
        for (float v : work) {
            peak = Math.max(peak, v);
            ink += v;
        }
        if (peak <= 0) return 0;
        float half = peak / 2;
        long edges = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = work[y * w + x] >= half;
                boolean right = x + 1 < w && work[y * w + x + 1] >= half;
                boolean down = y + 1 < h && work[(y + 1) * w + x] >= half;
                if (in != right) edges++;
                if (in != down) edges++;
                if (in && x == 0) edges++;
                if (in && y == 0) edges++;
            }
        }
        if (edges == 0) return 0;
        double width = 2 * ink / (edges * (double) peak);
        double target = STROKE_FRACTION * Math.max(w, h);
        return width < target ? (int) Math.round((target - width) / 2) : 0;
    }

    /**
     * Greyscale dilation by a square of radius {@code r} into an image padded by {@code r} on every side.
     * Van Herk / Gil-Werman: three comparisons per pixel and pass whatever the radius.
     */
    static float[] dilate(float[] in, int w, int h, int r) {
        int pw = w + 2 * r, ph = h + 2 * r, k = 2 * r + 1;
        float[] padded = new float[pw * ph];
        for (int y = 0; y < h; y++) System.arraycopy(in, y * w, padded, (y + r) * pw + r, w);
        int n = Math.max(pw, ph);
        float[] line = new float[n + 2 * r], g = new float[n + 2 * r], hh = new float[n + 2 * r], out = new float[n];
        for (int y = 0; y < ph; y++) {
            maxFilter(padded, y * pw, 1, pw, r, k, line, g, hh, out);
            System.arraycopy(out, 0, padded, y * pw, pw);
        }
        for (int x = 0; x < pw; x++) {
            maxFilter(padded, x, pw, ph, r, k, line, g, hh, out);
            for (int y = 0; y < ph; y++) padded[y * pw + x] = out[y];
        }
        return padded;
    }

    /** {@code out[i] = max(src[i - r .. i + r])} over {@code n} values at {@code offset + i * stride}, 0 outside. */
    private static void maxFilter(float[] src, int offset, int stride, int n, int r, int k,
                                  float[] line, float[] g, float[] h, float[] out) {
        int len = n + 2 * r;
        Arrays.fill(line, 0, len, 0f);
        for (int i = 0; i < n; i++) line[r + i] = src[offset + i * stride];
        for (int i = 0; i < len; i++) g[i] = i % k == 0 ? line[i] : Math.max(g[i - 1], line[i]);
        for (int i = len - 1; i >= 0; i--) h[i] = (i % k == k - 1 || i == len - 1) ? line[i] : Math.max(h[i + 1], line[i]);
        // window [i, i + 2r] of the padded line is centred on original index i
        for (int i = 0; i < n; i++) out[i] = Math.max(h[i], g[i + 2 * r]);
    }

    /** Places the digit so its centre of mass is at ({@link #CENTRE}, {@link #CENTRE}), peak rescaled to 1. */
    private static float[] centre(float[] digit, int w, int h, String name) throws ImageException {
        double mass = 0, sx = 0, sy = 0;
        float peak = 0f;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = digit[y * w + x];
                mass += v;
                sx += v * x;
                sy += v * y;
                peak = Math.max(peak, v);
            }
        }
        if (!(mass > 0)) throw noInk(name);
        int ox = clamp((int) Math.round(CENTRE - sx / mass), 0, SIDE - w);
        int oy = clamp((int) Math.round(CENTRE - sy / mass), 0, SIDE - h);
        float[] out = new float[INPUT_SIZE];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) out[(oy + y) * SIDE + ox + x] = clamp01(digit[y * w + x] / peak);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Resampling

    /** Separable resize: per axis an area average when shrinking, bilinear when enlarging, a copy when equal. */
    static float[] resize(float[] in, int w, int h, int ow, int oh) {
        float[] tmp = new float[h * ow];
        for (int y = 0; y < h; y++) resample(in, y * w, 1, w, tmp, y * ow, 1, ow);
        float[] out = new float[oh * ow];
        for (int x = 0; x < ow; x++) resample(tmp, x, ow, h, out, x, ow, oh);
        return out;
    }

    /** One line of {@code n} values to {@code m} values. */
    static void resample(float[] src, int so, int ss, int n, float[] dst, int d0, int ds, int m) {
        if (n == m) {
            for (int i = 0; i < n; i++) dst[d0 + i * ds] = src[so + i * ss];
        } else if (n > m) {
            double scale = (double) n / m;
            for (int j = 0; j < m; j++) {
                double a = j * scale, b = Math.min(n, (j + 1) * scale);
                double sum = 0;
                for (int i = (int) a; i < b; i++) {
                    double overlap = Math.min(b, i + 1) - Math.max(a, i);
                    sum += overlap * src[so + i * ss];
                }
                dst[d0 + j * ds] = (float) (sum / (b - a));
            }
        } else {
            for (int j = 0; j < m; j++) {
                double x = Math.max(0, Math.min(n - 1, (j + 0.5) * n / m - 0.5));
                int i0 = (int) x, i1 = Math.min(i0 + 1, n - 1);
                double t = x - i0;
                dst[d0 + j * ds] = (float) ((1 - t) * src[so + i0 * ss] + t * src[so + i1 * ss]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static ImageException noInk(String name) {
        return new ImageException(name, "no ink found (blank image): nothing stands out from the background");
    }

    private static int binOf(float v, float max, int bins) {
        int b = (int) (v / max * bins);
        return b < 0 ? 0 : Math.min(bins - 1, b);
    }

    /** The bin holding the {@code q} quantile of {@code n} counted values. */
    private static int quantileBin(int[] hist, int n, double q) {
        long target = (long) Math.ceil(q * n);
        long seen = 0;
        for (int b = 0; b < hist.length; b++) {
            seen += hist[b];
            if (seen >= target) return b;
        }
        return hist.length - 1;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static float clamp01(float v) {
        return v > 0f ? Math.min(v, 1f) : 0f; // NaN -> 0
    }
}
