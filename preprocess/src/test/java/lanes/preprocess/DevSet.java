package lanes.preprocess;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import lanes.engine.Model;

/**
 * A development set of real-looking digit photos to tune preprocessing on, generated from a seed (nothing
 * binary is committed): the 200 MNIST test digits of the trainer's {@code mnist-small} fixture, which the
 * default model never trained on, each rendered twice as a photo of a digit on paper.
 * <ul>
 * <li>{@link Style#NEAT}: a ballpoint or fine felt pen (strokes from thinner than MNIST's to a little
 *     thicker), a little camera blur;
 * <li>{@link Style#MARKER}: a thick marker or a soft, out-of-focus photo, or both (strokes up to about
 *     twice MNIST's width, blur up to about one MNIST pixel).
 * </ul>
 * Both: off-white paper with grain and a low-frequency texture, uneven light (a gradient and a vignette),
 * dark blue or black ink, the digit off-centre on a page of random aspect, turned by up to 6 degrees,
 * JPEG at quality 0.55 to 0.9.
 *
 * <p>The MNIST digit is the pen's path: its 28 x 28 grey levels are upsampled (bilinear) to the page's
 * scale, smoothed, and thresholded; a lower threshold on a more smoothed field is a thicker pen.
 *
 * <p>{@code java -cp <test classpath> lanes.preprocess.DevSet [--write DIR]} prints the default model's
 * accuracy on it (README: "A development set of photographed digits"); {@code --write DIR} also saves the
 * images, named {@code NNN-digit-D-STYLE.jpg}, for {@code tools/predict}.
 */
public final class DevSet {
    /** The seed the figures in the README are measured with. */
    public static final long SEED = 11;

    public enum Style { NEAT, MARKER }

    public record Photo(int label, Style style, int index, byte[] jpeg) {
        public String name() {
            return String.format(Locale.ROOT, "%03d-digit-%d-%s.jpg", index, label, style.name().toLowerCase(Locale.ROOT));
        }
    }

    /** MNIST digits: {@code count} images of 28 x 28 bytes, and their labels. */
    public record Digits(byte[][] images, int[] labels) {}

    private DevSet() {}

    /** The fixture's 200 test digits ({@code trainer/src/test/resources/mnist-small/t10k-*}). */
    public static Digits testDigits() throws IOException {
        Path dir = fixtureDir();
        byte[][] images;
        try (DataInputStream in = gz(dir.resolve("t10k-images-idx3-ubyte.gz"))) {
            if (in.readInt() != 2051) throw new IOException("not an IDX image file");
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (rows != 28 || cols != 28) throw new IOException("expected 28 x 28, got " + rows + " x " + cols);
            images = new byte[n][784];
            for (byte[] image : images) in.readFully(image);
        }
        int[] labels;
        try (DataInputStream in = gz(dir.resolve("t10k-labels-idx1-ubyte.gz"))) {
            if (in.readInt() != 2049) throw new IOException("not an IDX label file");
            labels = new int[in.readInt()];
            for (int i = 0; i < labels.length; i++) labels[i] = in.readUnsignedByte();
        }
        if (labels.length != images.length) throw new IOException("images and labels differ in count");
        return new Digits(images, labels);
    }

    /** Every test digit in every style, the same bytes for the same seed. */
    public static List<Photo> generate(long seed) throws IOException {
        Digits digits = testDigits();
        List<Photo> photos = new ArrayList<>();
        for (Style style : Style.values()) {
            for (int i = 0; i < digits.labels().length; i++) photos.add(photo(digits, style, i, seed));
        }
        return photos;
    }

    /** Digit {@code i} in {@code style}: its own random stream, so any one photo can be made alone. */
    public static Photo photo(Digits digits, Style style, int i, long seed) throws IOException {
        Random rnd = new Random(seed * 1_000_003L + style.ordinal() * 10_007L + i);
        return new Photo(digits.labels()[i], style, i, jpeg(render(digits.images()[i], style, rnd), rnd));
    }

    /** Accuracy per style (in {@link Style} order), then overall, of {@code model} on {@code photos}. */
    public static double[] accuracy(Model model, List<Photo> photos, ImagePreprocessor pre) throws ImageException {
        int[] right = new int[Style.values().length], total = new int[right.length];
        for (Photo p : photos) {
            float[] x = pre.preprocess(p.jpeg(), p.name(), PreprocessMode.MNIST);
            if (model.predict(x) == p.label()) right[p.style().ordinal()]++;
            total[p.style().ordinal()]++;
        }
        double[] out = new double[right.length + 1];
        int r = 0, t = 0;
        for (int s = 0; s < right.length; s++) {
            out[s] = (double) right[s] / total[s];
            r += right[s];
            t += total[s];
        }
        out[right.length] = (double) r / t;
        return out;
    }

    /**
     * Accuracy of {@code model} on the clean test digits themselves, as 28 x 28 white-on-black images through
     * {@code mode}: {@link PreprocessMode#NONE} is the model's own accuracy, {@link PreprocessMode#MNIST} what
     * preprocessing costs on an input that is already MNIST's.
     */
    public static double clean(Model model, Digits digits, ImagePreprocessor pre, PreprocessMode mode) throws ImageException {
        int right = 0;
        for (int i = 0; i < digits.labels().length; i++) {
            BufferedImage im = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            byte[] d = digits.images()[i];
            int[] grey = new int[784];
            for (int j = 0; j < 784; j++) grey[j] = d[j] & 0xFF;
            im.getRaster().setSamples(0, 0, 28, 28, 0, grey);
            if (model.predict(pre.fromImage(im, mode)) == digits.labels()[i]) right++;
        }
        return (double) right / digits.labels().length;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Photo> photos = generate(SEED);
        String name = "mnist";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--write") && i + 1 < args.length) {
                Path dir = Files.createDirectories(Path.of(args[++i]));
                for (Photo p : photos) Files.write(dir.resolve(p.name()), p.jpeg());
            } else if (args[i].equals("--model") && i + 1 < args.length) {
                name = args[++i];
            } else {
                System.err.println("usage: DevSet [--model mnist|mnist-fast] [--write DIR]");
                System.exit(2);
            }
        }
        Model model = Model.loadBundled(name);
        System.out.println("model: " + name);
        ImagePreprocessor pre = new ImagePreprocessor();
        double[] a = accuracy(model, photos, pre);
        Digits digits = testDigits();
        System.out.printf(Locale.ROOT, "dev set (seed %d, %d photos): neat %.3f, marker/blurry %.3f, all %.3f%n",
                SEED, photos.size(), a[0], a[1], a[2]);
        System.out.printf(Locale.ROOT, "the %d clean test digits, 28 x 28: mode none %.3f, mode mnist %.3f%n",
                digits.labels().length, clean(model, digits, pre, PreprocessMode.NONE), clean(model, digits, pre, PreprocessMode.MNIST));
    }

    // ------------------------------------------------------------------------------------------------

    /** A photo of {@code digit} in {@code style}: RGB, dark ink on lit paper. */
    static BufferedImage render(byte[] digit, Style style, Random rnd) {
        int scale = 5 + rnd.nextInt(4);                       // page pixels per MNIST pixel
        int side = 28 * scale;
        double pen, smooth, blur;                              // in MNIST pixels
        if (style == Style.NEAT) {
            pen = 0.35 + 0.35 * rnd.nextDouble();             // threshold: high = thin
            smooth = 0.5;
            blur = 0.1 + 0.25 * rnd.nextDouble();
        } else {
            boolean thick = rnd.nextDouble() < 0.7, soft = !thick || rnd.nextDouble() < 0.5;
            pen = thick ? 0.15 + 0.13 * rnd.nextDouble() : 0.4 + 0.2 * rnd.nextDouble();
            smooth = thick ? 0.9 + 0.5 * rnd.nextDouble() : 0.5;
            blur = soft ? 0.5 + 0.6 * rnd.nextDouble() : 0.1 + 0.2 * rnd.nextDouble();
        }
        double angle = Math.toRadians((rnd.nextDouble() * 2 - 1) * 6);

        // The pen's path: bilinear upsampling, turned about the centre, then smoothed so the threshold draws
        // round strokes.
        float[] field = new float[side * side];
        double cos = Math.cos(angle), sin = Math.sin(angle), c = side / 2.0;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double dx = x + 0.5 - c, dy = y + 0.5 - c;
                double sx = (cos * dx + sin * dy + c) / scale - 0.5, sy = (-sin * dx + cos * dy + c) / scale - 0.5;
                field[y * side + x] = (float) bilinear(digit, sx, sy);
            }
        }
        field = gaussian(field, side, side, smooth * scale);
        float peak = 0;
        for (float v : field) peak = Math.max(peak, v);
        float[] ink = new float[side * side];
        double edge = 0.04;                                    // anti-aliasing of the pen's edge
        for (int i = 0; i < ink.length; i++) {
            double t = (field[i] / peak - pen) / edge + 0.5;
            ink[i] = (float) Math.max(0, Math.min(1, t));
        }
        ink = gaussian(ink, side, side, blur * scale);

        // The page: the digit off-centre, paper and light, ink.
        int w = (int) (side * (1.15 + 0.6 * rnd.nextDouble())), h = (int) (side * (1.15 + 0.6 * rnd.nextDouble()));
        int ox = rnd.nextInt(w - side + 1), oy = rnd.nextInt(h - side + 1);
        double paper = 0.78 + 0.18 * rnd.nextDouble();
        double gx = (rnd.nextDouble() * 2 - 1) * 0.25, gy = (rnd.nextDouble() * 2 - 1) * 0.25;   // light gradient
        double vignette = 0.25 * rnd.nextDouble();
        double lx = rnd.nextDouble(), ly = rnd.nextDouble();                                    // brightest spot
        double grain = 0.01 + 0.025 * rnd.nextDouble();
        float[] texture = texture(w, h, 3 + rnd.nextInt(5), rnd);
        double textureAmp = 0.04 * rnd.nextDouble() / Math.max(1e-6, rms(texture));
        boolean blue = rnd.nextBoolean();
        double inkLevel = 0.05 + 0.3 * rnd.nextDouble();       // ink's reflectance relative to the paper
        double[] tint = blue ? new double[] {0.35, 0.45, 0.9} : new double[] {1, 1, 1};
        double[] paperTint = {1.0, 0.98 + 0.02 * rnd.nextDouble(), 0.9 + 0.1 * rnd.nextDouble()};
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = (double) x / w, v = (double) y / h;
                double r2 = (u - lx) * (u - lx) + (v - ly) * (v - ly);
                double light = 1 + gx * (u - 0.5) + gy * (v - 0.5) - vignette * r2;
                double p = paper * light + textureAmp * texture[y * w + x];
                int dx = x - ox, dy = y - oy;
                double a = dx >= 0 && dx < side && dy >= 0 && dy < side ? ink[dy * side + dx] : 0;
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double bright = p * paperTint[ch] * (1 - a * (1 - inkLevel * tint[ch])) + grain * rnd.nextGaussian();
                    rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, Math.round(bright * 255)));
                }
                row[x] = rgb;
            }
            im.setRGB(0, y, w, 1, row, 0, w);
        }
        return im;
    }

    private static double bilinear(byte[] d, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (1 - fy) * ((1 - fx) * at(d, x0, y0) + fx * at(d, x0 + 1, y0))
                + fy * ((1 - fx) * at(d, x0, y0 + 1) + fx * at(d, x0 + 1, y0 + 1));
    }

    private static double at(byte[] d, int x, int y) {
        return x < 0 || y < 0 || x >= 28 || y >= 28 ? 0 : (d[y * 28 + x] & 0xFF) / 255.0;
    }

    /** Paper texture: Gaussian noise on a grid of {@code cell}-pixel cells, interpolated bilinearly. */
    private static float[] texture(int w, int h, int cell, Random rnd) {
        int gw = w / cell + 2, gh = h / cell + 2;
        float[] grid = new float[gw * gh];
        for (int i = 0; i < grid.length; i++) grid[i] = (float) rnd.nextGaussian();
        float[] t = new float[w * h];
        for (int y = 0; y < h; y++) {
            double gy = (double) y / cell;
            int y0 = (int) gy;
            double fy = gy - y0;
            for (int x = 0; x < w; x++) {
                double gx = (double) x / cell;
                int x0 = (int) gx;
                double fx = gx - x0;
                t[y * w + x] = (float) ((1 - fy) * ((1 - fx) * grid[y0 * gw + x0] + fx * grid[y0 * gw + x0 + 1])
                        + fy * ((1 - fx) * grid[(y0 + 1) * gw + x0] + fx * grid[(y0 + 1) * gw + x0 + 1]));
            }
        }
        return t;
    }

    private static double rms(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        return Math.sqrt(s / v.length);
    }

    /** Separable Gaussian blur, edges clamped; a copy when sigma is under a quarter pixel. */
    static float[] gaussian(float[] in, int w, int h, double sigma) {
        if (sigma < 0.25) return in.clone();
        int r = (int) Math.ceil(3 * sigma);
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= (float) sum;
        float[] tmp = new float[w * h], out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * in[y * w + Math.max(0, Math.min(w - 1, x + i))];
                tmp[y * w + x] = s;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * tmp[Math.max(0, Math.min(h - 1, y + i)) * w + x];
                out[y * w + x] = s;
            }
        }
        return out;
    }

    private static byte[] jpeg(BufferedImage im, Random rnd) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality((float) (0.55 + 0.35 * rnd.nextDouble()));
            writer.write(null, new IIOImage(im, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static DataInputStream gz(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new DataInputStream(new GZIPInputStream(in));
    }

    /** {@code trainer/src/test/resources/mnist-small}, found above the working directory. */
    static Path fixtureDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("trainer/src/test/resources/mnist-small");
            if (Files.isDirectory(s)) return s;
        }
        throw new IllegalStateException("trainer/src/test/resources/mnist-small not found above " + Path.of("").toAbsolutePath());
    }
}
