package lanes.trainer;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One split of an MNIST-style data set: images and one label per image, checked to match. Loaded from
 * the four-file layout that {@code tools/fetch-data} writes:
 * {@code DIR/{train,t10k}-images-idx3-ubyte.gz} and {@code DIR/{train,t10k}-labels-idx1-ubyte.gz}
 * (the same names without {@code .gz} are accepted when the {@code .gz} file is absent; either may hold
 * raw or gzip data).
 */
public final class Dataset {

    /** The split names of the MNIST layout. */
    public static final List<String> SPLITS = List.of("train", "t10k");

    /** Classes of MNIST and Fashion-MNIST: labels 0..9. */
    public static final int MNIST_CLASSES = 10;

    private final IdxImages images;
    private final byte[] labels;
    private final int classes;

    private Dataset(IdxImages images, byte[] labels, int classes) {
        this.images = images;
        this.labels = labels;
        this.classes = classes;
    }

    /** Loads split {@code "train"} or {@code "t10k"} of a 10-class data set from {@code dir}. */
    public static Dataset load(Path dir, String split) throws IOException {
        return load(imagesFile(dir, split), labelsFile(dir, split), MNIST_CLASSES);
    }

    /** Loads an images file and its labels file, checking one label per image and every label below {@code classes}. */
    public static Dataset load(Path imagesFile, Path labelsFile, int classes) throws IOException {
        checkClasses(classes);
        IdxImages images = IdxReader.readImages(imagesFile);
        byte[] labels = IdxReader.readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new IdxFormatException(labelsFile.toString(), imagesFile + " holds " + images.count()
                    + " images but " + labelsFile + " holds " + labels.length
                    + " labels: expected one label per image");
        }
        int bad = firstOutOfRange(labels, classes);
        if (bad >= 0) {
            throw new IdxFormatException(labelsFile.toString(), labelsFile + ": label " + bad + " (byte "
                    + (8 + bad) + " of the IDX data) is " + (labels[bad] & 0xff) + ", expected a class in 0.."
                    + (classes - 1) + " for image " + bad + " of " + imagesFile);
        }
        return new Dataset(images, labels, classes);
    }

    /** Wraps images and labels already in memory, with the same checks as {@link #load(Path, Path, int)}. */
    public static Dataset of(IdxImages images, byte[] labels, int classes) {
        checkClasses(classes);
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (images.count() != labels.length) throw new IllegalArgumentException(
                images.count() + " images but " + labels.length + " labels: expected one label per image");
        int bad = firstOutOfRange(labels, classes);
        if (bad >= 0) throw new IllegalArgumentException(
                "label " + bad + " is " + (labels[bad] & 0xff) + ", expected a class in 0.." + (classes - 1));
        return new Dataset(images, labels, classes);
    }

    /** The file name of a split's images, gzip form: {@code train-images-idx3-ubyte.gz}. */
    public static String imagesName(String split) {
        return checkSplit(split) + "-images-idx3-ubyte.gz";
    }

    /** The file name of a split's labels, gzip form: {@code train-labels-idx1-ubyte.gz}. */
    public static String labelsName(String split) {
        return checkSplit(split) + "-labels-idx1-ubyte.gz";
    }

    /** The images file of {@code split} in {@code dir}: the {@code .gz} name, else the plain one. */
    public static Path imagesFile(Path dir, String split) throws FileSystemException {
        return existing(dir, imagesName(split));
    }

    /** The labels file of {@code split} in {@code dir}: the {@code .gz} name, else the plain one. */
    public static Path labelsFile(Path dir, String split) throws FileSystemException {
        return existing(dir, labelsName(split));
    }

    /** The examples in the trainer's form: one row of rows×cols pixel bytes per image. */
    public Samples samples() {
        return new Samples(images().pixels(), labels(), count(), rows() * cols());
    }

    public IdxImages images() {
        return images;
    }

    /** The labels, one per image; the array itself, not a copy (do not modify). */
    public byte[] labels() {
        return labels;
    }

    /** The label of image {@code i}, 0..classes-1. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    public int count() {
        return images.count();
    }

    public int rows() {
        return images.rows();
    }

    public int cols() {
        return images.cols();
    }

    public int classes() {
        return classes;
    }

    /** How many images each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (byte b : labels) counts[b & 0xff]++;
        return counts;
    }

    @Override
    public String toString() {
        return "Dataset[" + count() + " images of " + rows() + "x" + cols() + ", " + classes + " classes]";
    }

    private static Path existing(Path dir, String gzName) throws FileSystemException {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) return gz;
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
        if (Files.isRegularFile(plain)) return plain;
        // Say what is actually wrong: a data directory that is a file or unreadable is not "missing data".
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new NotDirectoryException(dir.toString());
        if (Files.isDirectory(dir) && !Files.isReadable(dir)) throw new AccessDeniedException(dir.toString());
        for (Path p : new Path[] {gz, plain}) {
            if (Files.isDirectory(p)) throw new NoSuchFileException(p.toString(), null,
                    "is a directory, expected an IDX file");
        }
        String fetch = "; run tools/fetch-data --dataset mnist (or fashion-mnist) to download the data"
                + " into data/<dataset>/, then point at that directory";
        if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString(), null, "no such directory" + fetch);
        throw new NoSuchFileException(gz.toString(), null, "not found (nor " + plain.getFileName()
                + " beside it)" + fetch);
    }

    private static String checkSplit(String split) {
        if (!SPLITS.contains(split)) throw new IllegalArgumentException(
                "split must be one of " + SPLITS + ", got " + split);
        return split;
    }

    private static void checkClasses(int classes) {
        if (classes < 1 || classes > 256) throw new IllegalArgumentException(
                "classes must be 1..256 (labels are unsigned bytes), got " + classes);
    }

    private static int firstOutOfRange(byte[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= classes) return i;
        }
        return -1;
    }
}
