package lanes.preprocess;


import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import lanes.engine.BadInputException;

/**
 * Stage 1, decoding: the first image of a stream (the first frame of an animation), with its size read
 * from the header and checked against the pixel limit before any pixel is decoded, larger images
 * subsampled while they are decoded, and whatever a decoder throws turned into an {@link ImageException}.
 */
final class Decoder {
    static final String FORMATS = "PNG, GIF, JPEG, BMP";

    private final long maxPixels;
    private final long decodePixels;

    Decoder(long maxPixels, long decodePixels) {
        this.maxPixels = maxPixels;
        this.decodePixels = decodePixels;
    }

    /** Decodes the first image (the first frame of an animation), closing the stream. */
    BufferedImage decode(ImageInputStream in, String name) throws ImageException {
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
        return "truncated or corrupt image data: " + BadInputException.problem(e, null);
    }
}
