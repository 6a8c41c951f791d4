package lanes.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fashion-MNIST from the Debian package {@code dataset-fashion-mnist}, which ships the four {@code .gz}
 * files in {@code /usr/share/datasets/fashion-mnist}. Uses an installed copy when there is one; otherwise
 * {@code apt-get download} (no root needed) into a temporary directory and {@code dpkg-deb -x}. apt checks
 * the package against Debian's signed archive index.
 *
 * <p>Debian recompressed the files, so their {@code .gz} bytes differ from the published ones and the
 * published MD5s cannot be checked; the fetcher checks IDX structure, shape, counts and labels instead.
 */
final class DebianFashionSource implements DataSource {

    static final String PACKAGE = "dataset-fashion-mnist";
    static final String FILES_IN_PACKAGE = "usr/share/datasets/fashion-mnist";
    static final Path INSTALLED = Path.of("/", FILES_IN_PACKAGE);

    private final Path installed;
    private final String aptGet;
    private final String dpkgDeb;

    DebianFashionSource(Path installed, String aptGet, String dpkgDeb) {
        this.installed = installed;
        this.aptGet = aptGet;
        this.dpkgDeb = dpkgDeb;
    }

    DebianFashionSource() {
        this(INSTALLED, "apt-get", "dpkg-deb");
    }

    @Override
    public String name() {
        return "Debian package " + PACKAGE;
    }

    @Override
    public Fetched fetch(DatasetSpec spec, Map<String, Path> out, PrintStream log) throws IOException {
        List<String> notes = List.of("Fashion-MNIST from Debian's " + PACKAGE + ": Debian recompressed the .gz files, so the"
                + " published MD5s do not apply; checked instead: IDX structure, " + spec.trainCount() + "/"
                + spec.testCount() + " images of " + spec.rows() + "x" + spec.cols() + ", labels 0.." + (spec.classes() - 1)
                + " (the package itself is verified by apt against Debian's signed archive)");
        if (missing(installed) == null) {
            log.println("fetch-data:   copying the installed files from " + installed);
            copyAll(installed, out);
            return new Fetched("installed Debian package " + PACKAGE + " (" + installed + ")", false,
                    spec.trainCount(), spec.testCount(), notes);
        }
        log.println("fetch-data:   " + installed + " has no data; downloading the package with " + aptGet + " download " + PACKAGE);
        Path work = Files.createTempDirectory("lanes-deb-");
        try {
            Commands.run(List.of(aptGet, "download", PACKAGE), work, Duration.ofMinutes(10), Map.of());
            Path deb;
            try (Stream<Path> s = Files.list(work)) {
                deb = s.filter(p -> p.getFileName().toString().startsWith(PACKAGE + "_")
                        && p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException(aptGet + " download " + PACKAGE + " left no .deb in " + work));
            }
            Path x = work.resolve("x");
            Commands.run(List.of(dpkgDeb, "-x", deb.toString(), x.toString()), work, Duration.ofMinutes(5), Map.of());
            Path files = x.resolve(FILES_IN_PACKAGE);
            String lacking = missing(files);
            if (lacking != null) throw new IOException(deb.getFileName() + " has no " + FILES_IN_PACKAGE + "/" + lacking);
            copyAll(files, out);
            return new Fetched("Debian package " + PACKAGE + ", " + deb.getFileName() + " (apt-get download)", false,
                    spec.trainCount(), spec.testCount(), notes);
        } finally {
            Commands.deleteTree(work);
        }
    }

    /** The first of the four files that {@code dir} lacks, or null when it holds them all. */
    private static String missing(Path dir) {
        for (String f : DatasetSpec.FILES) if (!Files.isRegularFile(dir.resolve(f))) return f;
        return null;
    }

    private static void copyAll(Path from, Map<String, Path> out) throws IOException {
        for (String f : DatasetSpec.FILES) Files.copy(from.resolve(f), out.get(f), StandardCopyOption.REPLACE_EXISTING);
    }
}
