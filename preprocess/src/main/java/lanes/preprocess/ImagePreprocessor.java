package lanes.preprocess;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import lanes.engine.BadInputException;

/**
 * Turns an image (PNG, GIF, JPEG, BMP, whatever the JDK's ImageIO reads) into the 784 inputs of a 28 x 28
 * digit model: row-major, values in [0, 1], 1 = ink, MNIST polarity (white digit on black).
 *
 * <p>This class is the facade; each stage is a class of its own in this package: {@link Decoder},
 * {@link Luminance} (and ink polarity), {@link Background} (and noise), {@link Specks}, {@link Crop},
 * {@link StrokeWidth}, {@link Fit}, {@link Centre}; {@link Mnist} runs them in order, {@link Seed} is the
 * tutorial's mode.
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
 * <p>Instances hold only the pixel limit and are safe to share between threads.
 */
public final class ImagePreprocessor {
    /** Side of the model input. */
    public static final int SIDE = 28;
    /** Number of model inputs, {@code SIDE * SIDE}. */
    public static final int INPUT_SIZE = SIDE * SIDE;
    /** Default decoding limit: a 50-megapixel image decodes to about 200 MB. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /**
     * Larger images are subsampled while they are decoded, since the decoded image is the largest allocation
     * (4 bytes a pixel for RGBA, 8 for 16-bit RGBA): a 50-megapixel RGBA image would take 200 MB, a quarter
     * of that this way. Subsampling picks pixels rather than averaging them, so the limit is generous: four
     * times {@link Mnist#WORKING_PIXELS}, and the MNIST steps still average several decoded pixels into each
     * working pixel. Smaller images are decoded whole, as before; SEED mode reproduces Pillow on the image
     * as decoded.
     */
    static final long DECODE_PIXELS = 4 * Mnist.WORKING_PIXELS;

    private final long maxPixels;
    private final Decoder decoder;

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
        this.decoder = new Decoder(maxPixels, decodePixels);
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
        return process(decoder.decode(in, name), mode, name);
    }

    /**
     * As {@link #preprocess(Path, PreprocessMode)} for an image already in memory; {@code name} labels it in
     * messages. The same decoding path as for files, so it is the one to fuzz.
     */
    public float[] preprocess(byte[] data, String name, PreprocessMode mode) throws ImageException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(mode, "mode");
        String label = name == null ? "image data" : name;
        return process(decoder.decode(new MemoryCacheImageInputStream(new ByteArrayInputStream(data)), label), mode, label);
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
                int grey = Math.round(Clamp.unit(v) * 255f); // NaN and negatives are 0
                for (int s = 0; s < scale; s++) row[x * scale + s] = grey;
            }
            for (int s = 0; s < scale; s++) raster.setSamples(0, y * scale + s, side, 1, 0, row);
        }
        return image;
    }

    private static float[] process(BufferedImage image, PreprocessMode mode, String name) throws ImageException {
        try {
            return switch (mode) {
                case MNIST -> Mnist.mnist(image, name);
                case SEED -> Seed.seed(image, name);
                case NONE -> none(image, name);
            };
        } catch (RuntimeException e) {
            // Colour conversion of exotic colour models (ICC profiles, odd TIFF layouts) can throw CMMException
            // or IllegalArgumentException from getRGB; the caller gets an ImageException, cause attached.
            throw new ImageException(name, "cannot convert the image's colours: " + BadInputException.problem(e, null), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(name, "not enough memory to preprocess the image", e);
        }
    }

    /** The image as it is: 28 x 28, luminance / 255, transparent pixels on black (MNIST's paper). */
    private static float[] none(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        if (w != SIDE || h != SIDE) throw new ImageException(name, "mode none needs a " + SIDE + " x " + SIDE
                + " image (white digit on black, like MNIST); this one is " + w + " x " + h
                + ": use mode mnist to crop and scale it");
        float[] out = Luminance.luminance(image, 0f, 1);
        for (int i = 0; i < out.length; i++) out[i] = Clamp.unit(out[i]);
        return out;
    }

    // Stage entry points the tests reach through the facade.

    static int subsampling(int w, int h, long limit) {
        return Decoder.subsampling(w, h, limit);
    }

    static ImageException decodingFailed(String name, Throwable e, int w, int h) {
        return Decoder.decodingFailed(name, e, w, h);
    }

    static void normalise(float[] ink, String name) throws ImageException {
        Background.normalise(ink, name);
    }
}
