package lanes.preprocess;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes the sample digit images of {@code tools/samples/}: one per digit, each exercising a different
 * decoder path or kind of picture. Seeded noise; the glyphs come from the installed fonts (DejaVu Sans on
 * the machine that made the committed files), so another machine may produce slightly different pixels.
 *
 * <p>{@code java -cp preprocess/target/test-classes:preprocess/target/classes:engine/target/classes:kernels/target/classes
 * lanes.preprocess.SampleImages [dir]} (default {@code tools/samples}).
 */
public final class SampleImages {

    private SampleImages() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args.length > 0 ? args[0] : "tools/samples");
        Files.createDirectories(dir);
        write(dir.resolve("digit-0-alpha.png"), "png", alpha());
        write(dir.resolve("digit-1-scan.bmp"), "bmp", scan());
        write(dir.resolve("digit-2-inverted.png"), "png", inverted());
        jpeg(dir.resolve("digit-3-photo.jpg"), photo(), 0.85f);
        write(dir.resolve("digit-4-grey16.png"), "png", grey16());
        write(dir.resolve("digit-5-palette.gif"), "gif", palette());
        jpeg(dir.resolve("digit-6-pencil.jpg"), pencil(), 0.8f);
        write(dir.resolve("digit-7-drawing.png"), "png", drawing());
        write(dir.resolve("digit-8-shadow.png"), "png", shadow());
        write(dir.resolve("digit-9-mnist28.png"), "png", mnist28());
    }

    // ------------------------------------------------------------------------------------------------
    // The samples

    /** Dark navy ink, fully transparent background whose colour is black: ignoring alpha shows nothing. */
    static BufferedImage alpha() {
        float[] m = glyph(180, 180, "0", true, 130, 95, 92, 0);
        BufferedImage im = new BufferedImage(180, 180, BufferedImage.TYPE_INT_ARGB);
        for (int i = 0; i < m.length; i++) {
            int a = Math.round(m[i] * 255);
            im.setRGB(i % 180, i / 180, a == 0 ? 0 : (a << 24) | (10 << 16) | (20 << 8) | 60);
        }
        return im;
    }

    /** A 24-bit BMP: black on white, small; a pen-drawn 1 (a font's 1 has a flag and a foot MNIST never shows). */
    static BufferedImage scan() {
        Path2D.Double one = new Path2D.Double();
        one.moveTo(56, 16);
        one.quadTo(52, 60, 44, 104);
        float[] m = stroke(96, 120, one, 11);
        BufferedImage im = new BufferedImage(96, 120, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < m.length; i++) im.setRGB(i % 96, i / 96, grey(255 - Math.round(m[i] * 255)));
        return im;
    }

    /** White on black, like MNIST itself but large and off-centre. */
    static BufferedImage inverted() {
        float[] m = glyph(200, 200, "2", true, 140, 85, 110, -4);
        return grey8(200, 200, i -> Math.round(m[i] * 255));
    }

    /**
     * A phone photo of a digit on paper: 400 x 300, off-white paper with a lighting gradient and grain,
     * blue-black ink, digit off-centre and slightly rotated.
     */
    static BufferedImage photo() {
        int w = 400, h = 300;
        float[] m = glyph(w, h, "3", true, 190, 255, 160, 6);
        Random rnd = new Random(3);
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double light = 1.0 - 0.10 * x / w - 0.06 * y / h;
                double n = rnd.nextGaussian() * 3;
                float a = m[y * w + x];
                int r = mix(238 * light + n, 38 + n, a), g = mix(232 * light + n, 42 + n, a), b = mix(220 * light + n, 70 + n, a);
                im.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return im;
    }

    /** 16-bit grey: dark grey ink on a light grey vertical gradient, values using the whole 16-bit range; a pen-drawn open 4. */
    static BufferedImage grey16() {
        int w = 180, h = 180;
        Path2D.Double four = new Path2D.Double();
        four.moveTo(52, 22);
        four.lineTo(38, 104);
        four.lineTo(140, 100);
        four.moveTo(118, 30);
        four.quadTo(114, 100, 112, 160);
        float[] m = stroke(w, h, four, 14);
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = im.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double paper = 50_000 + 9_000.0 * y / h;
                r.setSample(x, y, 0, (int) Math.round(paper + (7_000 - paper) * m[y * w + x]));
            }
        }
        return im;
    }

    /** A palette GIF: dark green on pale yellow, 16 blended colours for the anti-aliased edges. */
    static BufferedImage palette() {
        int w = 160, h = 160, colours = 16;
        float[] m = glyph(w, h, "5", true, 120, 80, 78, 0);
        byte[] rs = new byte[colours], gs = new byte[colours], bs = new byte[colours];
        for (int c = 0; c < colours; c++) {
            float a = c / (colours - 1f);
            rs[c] = (byte) mix(250, 20, a);
            gs[c] = (byte) mix(240, 90, a);
            bs[c] = (byte) mix(200, 40, a);
        }
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(4, colours, rs, gs, bs));
        WritableRaster r = im.getRaster();
        for (int i = 0; i < m.length; i++) r.setSample(i % w, i / w, 0, Math.round(m[i] * (colours - 1)));
        return im;
    }

    /** A faint pencil digit: thin regular weight, low contrast, grainy grey paper, grey JPEG. */
    static BufferedImage pencil() {
        int w = 240, h = 240;
        float[] m = glyph(w, h, "6", false, 150, 110, 125, -8);
        Random rnd = new Random(6);
        return grey8(w, h, i -> mix(212 + rnd.nextGaussian() * 4, 148 + rnd.nextGaussian() * 4, m[i]));
    }

    /** A thick-marker drawing of a 7, black on white, as drawn in a paint program. */
    static BufferedImage drawing() {
        BufferedImage im = new BufferedImage(256, 256, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = im.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 256, 256);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(22, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float p = new Path2D.Float();
        p.moveTo(64, 62);
        p.lineTo(186, 56);
        p.quadTo(150, 120, 118, 212);
        g.draw(p);
        g.dispose();
        return im;
    }

    /** Strong uneven lighting: paper from bright at the top left to dim at the bottom right, ink in proportion. */
    static BufferedImage shadow() {
        int w = 240, h = 240;
        float[] m = glyph(w, h, "8", true, 160, 125, 115, 0);
        return grey8(w, h, i -> {
            double paper = 235 - 105.0 * ((i % w) + (i / w)) / (w + h);
            return mix(paper, paper * 0.18, m[i]);
        });
    }

    /**
     * Already an MNIST input: 28 x 28, white on black, made the way MNIST made its digits (a large pen
     * drawing cropped, fitted into 20 x 20 and centred by mass) by the MNIST preprocessing itself.
     */
    static BufferedImage mnist28() {
        Path2D.Double nine = new Path2D.Double();
        nine.append(new java.awt.geom.Ellipse2D.Double(60, 30, 80, 70), false);
        nine.moveTo(138, 62);
        nine.quadTo(132, 120, 110, 180);
        float[] m = stroke(200, 200, nine, 16);
        BufferedImage big = grey8(200, 200, i -> 255 - Math.round(m[i] * 255));
        try {
            float[] x = new ImagePreprocessor().fromImage(big, PreprocessMode.MNIST);
            return grey8(28, 28, i -> Math.round(x[i] * 255));
        } catch (ImageException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Drawing helpers, also used by the tests

    /**
     * Coverage in [0, 1] of a digit glyph drawn anti-aliased on a {@code w x h} canvas, its visual bounds
     * centred at ({@code cx}, {@code cy}), {@code size} pixels tall, rotated by {@code degrees}.
     */
    static float[] glyph(int w, int h, String digit, boolean bold, double size, double cx, double cy, double degrees) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        Font font = new Font("DejaVu Sans", bold ? Font.BOLD : Font.PLAIN, 100);
        GlyphVector gv = font.createGlyphVector(new FontRenderContext(null, true, true), digit);
        Shape outline = gv.getOutline();
        Rectangle2D b = outline.getBounds2D();
        double s = size / b.getHeight();
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(Math.toRadians(degrees));
        t.scale(s, s);
        t.translate(-b.getCenterX(), -b.getCenterY());
        g.setColor(Color.WHITE);
        g.fill(t.createTransformedShape(outline));
        g.dispose();
        return coverage(im);
    }

    /**
     * Coverage in [0, 1] of a path stroked {@code width} wide with round ends: no fonts needed, so tests
     * using it run on machines without any.
     */
    static float[] stroke(int w, int h, Shape path, float width) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(path);
        g.dispose();
        return coverage(im);
    }

    /** The grey levels of an 8-bit grey image as coverage in [0, 1]. */
    private static float[] coverage(BufferedImage im) {
        int w = im.getWidth(), h = im.getHeight();
        float[] m = new float[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            im.getRaster().getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) m[y * w + x] = row[x] / 255f;
        }
        return m;
    }

    /** A hand-drawn 4, about 140 x 180 units from its top-left corner, at ({@code x}, {@code y}) scaled by {@code s}. */
    static Shape four(double x, double y, double s) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(90, 0);
        p.lineTo(0, 120);
        p.lineTo(140, 120);
        p.moveTo(95, 40);
        p.lineTo(95, 180);
        AffineTransform t = new AffineTransform();
        t.translate(x, y);
        t.scale(s, s);
        return t.createTransformedShape(p);
    }

    /** An 8-bit grey image from a per-pixel value (clamped to 0..255). */
    static BufferedImage grey8(int w, int h, java.util.function.IntUnaryOperator value) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = im.getRaster();
        for (int i = 0; i < w * h; i++) r.setSample(i % w, i / w, 0, clamp255(value.applyAsInt(i)));
        return im;
    }

    /** {@code paper} blended toward {@code ink} by coverage {@code a}, rounded and clamped to 0..255. */
    static int mix(double paper, double ink, float a) {
        return clamp255((int) Math.round(paper + (ink - paper) * a));
    }

    static int grey(int v) {
        return (v << 16) | (v << 8) | v;
    }

    private static int clamp255(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static void write(Path file, String format, BufferedImage im) throws IOException {
        if (!ImageIO.write(im, format, file.toFile())) throw new IOException("no ImageIO writer for " + format);
    }

    static void jpeg(Path file, BufferedImage im, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        Files.deleteIfExists(file);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(im, null, null), p);
        } finally {
            writer.dispose();
        }
    }
}
