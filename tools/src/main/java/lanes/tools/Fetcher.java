package lanes.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lanes.trainer.Dataset;

/**
 * Puts the four IDX files of a data set into {@code ROOT/<dataset>/}: reuses what is there when it still
 * checks out, otherwise tries each {@link DataSource} in turn until one delivers files that pass every
 * check. Files are staged as temporary files in the target directory and renamed into place only after
 * the whole set is verified, so a failed or interrupted run never leaves a half-valid set behind under the
 * final names with a record that vouches for it.
 *
 * <p>{@value #RECORD} in the directory says where the files came from and holds their SHA-256, so a later
 * run can check them without any network access.
 */
final class Fetcher {

    static final String RECORD = "SOURCE.txt";

    private final PrintStream log;

    Fetcher(PrintStream log) {
        this.log = log;
    }

    /** Returns the directory holding the verified files; throws naming every source tried when none works. */
    Path fetch(DatasetSpec spec, Path root, List<DataSource> sources) throws IOException {
        Path dir = root.resolve(spec.name());
        Cli.directory(dir);
        Record existing = reusable(spec, dir);
        if (existing != null) {
            info("using the files already in " + dir + " (" + existing.origin + "; checked, no download)");
            for (String note : existing.notes) info(note);
            return dir;
        }
        List<String> failures = new ArrayList<>();
        for (DataSource source : sources) {
            info("trying " + source.name());
            Map<String, Path> staged = new LinkedHashMap<>();
            try {
                for (String f : DatasetSpec.FILES) staged.put(f, Outputs.tempName(dir, f));
                DataSource.Fetched got = source.fetch(spec, staged, log);
                Map<String, Checksum> known = verify(spec, staged, got.published(), got.trainCount(), got.testCount(),
                        got.checked());
                install(dir, staged, got, sha256(staged, known));
                info("wrote " + DatasetSpec.FILES.size() + " files to " + dir + " from " + got.origin());
                for (String note : got.notes()) info(note);
                return dir;
            } catch (IOException | RuntimeException e) {
                String why = Cli.describeWithCauses(e);
                failures.add(source.name() + ": " + why);
                info("  failed: " + why);
            } finally {
                for (Path p : staged.values()) Files.deleteIfExists(p);
            }
        }
        StringBuilder msg = new StringBuilder("could not get " + spec.name() + " into " + dir + "; every source failed:");
        for (String f : failures) msg.append("\n  - ").append(f);
        if (failures.isEmpty()) msg.append("\n  (no sources were configured)");
        throw new IOException(msg.toString());
    }

    /**
     * Checks a staged or existing set: published checksums (when they apply), IDX structure, shape and counts.
     * {@code known} holds, by file name, a checksum each file was already found to have (by its source, or
     * against {@value #RECORD}): a published checksum equal to it is not computed again. Returns the checksums
     * the files are now known to have, so that the record's SHA-256 need not be computed again either.
     */
    private static Map<String, Checksum> verify(DatasetSpec spec, Map<String, Path> files, boolean published,
            int train, int test, Map<String, Checksum> known) throws IOException {
        if (published) {
            for (String f : DatasetSpec.FILES) {
                Checksum c = spec.published().get(f);
                if (c == null) throw new IOException("no published checksum for " + f + " to check it against");
                if (!c.equals(known.get(f))) c.verify(files.get(f), f, "published");
            }
            known = spec.published();
        }
        check(spec, files, "train", train);
        check(spec, files, "t10k", test);
        return known;
    }

    /** The SHA-256 of each file for the record: a known one where there is one, computed otherwise. */
    private static Map<String, String> sha256(Map<String, Path> files, Map<String, Checksum> known) throws IOException {
        Map<String, String> sha = new LinkedHashMap<>();
        for (String f : DatasetSpec.FILES) {
            Checksum k = known.get(f);
            sha.put(f, k != null && k.algorithm().equals("SHA-256") ? k.hex() : Checksum.compute("SHA-256", files.get(f)));
        }
        return sha;
    }

    private static void check(DatasetSpec spec, Map<String, Path> files, String split, int count) throws IOException {
        Dataset d = Dataset.load(files.get(Dataset.imagesName(split)), files.get(Dataset.labelsName(split)), spec.classes());
        if (d.rows() != spec.rows() || d.cols() != spec.cols() || d.count() != count) {
            throw new IOException(split + " split is " + d.count() + " images of " + d.rows() + "x" + d.cols()
                    + ", expected " + count + " of " + spec.rows() + "x" + spec.cols());
        }
    }

    /** Moves the verified files into place and records {@code sha}, the SHA-256 of each as verified. */
    private void install(Path dir, Map<String, Path> staged, DataSource.Fetched got, Map<String, String> sha)
            throws IOException {
        Files.deleteIfExists(dir.resolve(RECORD)); // the old record must not vouch for a mix of old and new files
        for (Map.Entry<String, Path> e : staged.entrySet()) Outputs.move(e.getValue(), dir.resolve(e.getKey()));
        new Record(got.origin(), got.published(), got.trainCount(), got.testCount(), got.notes(), sha).write(dir);
    }

    /** The record of a set in {@code dir} that still checks out, or null (saying why) when it must be fetched. */
    private Record reusable(DatasetSpec spec, Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        int present = 0;
        for (String f : DatasetSpec.FILES) {
            files.put(f, dir.resolve(f));
            if (Files.isRegularFile(dir.resolve(f))) present++;
        }
        if (present == 0) return null;
        if (present < files.size()) {
            info("only " + present + " of the " + files.size() + " files are in " + dir + "; fetching the set again");
            return null;
        }
        try {
            Record r = Record.read(dir);
            if (r == null) {
                if (spec.published().isEmpty()) throw new IOException("no " + RECORD + " saying where they came from");
                Map<String, Checksum> known;
                try {
                    known = verify(spec, files, true, spec.trainCount(), spec.testCount(), Map.of());
                } catch (IOException e) {
                    throw new IOException("no " + RECORD + " and they are not the published files (" + e.getMessage() + ")");
                }
                r = new Record("files found in place, matching the published checksums", true,
                        spec.trainCount(), spec.testCount(), List.of(), sha256(files, known));
                r.write(dir);
                return r;
            }
            Map<String, Checksum> recorded = new LinkedHashMap<>();
            for (String f : DatasetSpec.FILES) {
                String want = r.sha256.get(f);
                if (want == null) throw new IOException(RECORD + " has no SHA-256 for " + f);
                Checksum c = Checksum.sha256(want);
                c.verify(files.get(f), f, "value recorded in " + RECORD);
                recorded.put(f, c);
            }
            verify(spec, files, r.published, r.train, r.test, recorded);
            return r;
        } catch (IOException | RuntimeException e) {
            info("the files in " + dir + " do not check out (" + Cli.describeWithCauses(e) + "); fetching them again");
            return null;
        }
    }

    private void info(String line) {
        log.println("fetch-data: " + line);
    }

    /** The contents of {@value #RECORD}. */
    record Record(String origin, boolean published, int train, int test, List<String> notes, Map<String, String> sha256) {

        void write(Path dir) throws IOException {
            StringBuilder sb = new StringBuilder();
            sb.append("# Written by tools/fetch-data and checked on every run. Delete this directory to fetch again.\n");
            sb.append("origin: ").append(origin).append('\n');
            sb.append("published-checksums: ").append(published ? "yes" : "no").append('\n');
            sb.append("train: ").append(train).append('\n');
            sb.append("t10k: ").append(test).append('\n');
            for (String n : notes) sb.append("note: ").append(n.replace('\n', ' ')).append('\n');
            for (Map.Entry<String, String> e : sha256.entrySet()) {
                sb.append("sha256: ").append(e.getValue()).append("  ").append(e.getKey()).append('\n');
            }
            Outputs.writeAtomically(dir.resolve(RECORD), sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** The record in {@code dir}, or null when there is none; throws when it is unreadable. */
        static Record read(Path dir) throws IOException {
            Path p = dir.resolve(RECORD);
            if (!Files.isRegularFile(p)) return null;
            String origin = null;
            Boolean published = null;
            int train = -1, test = -1;
            List<String> notes = new ArrayList<>();
            Map<String, String> sha = new LinkedHashMap<>();
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                int colon = line.indexOf(": ");
                if (colon < 0) throw new IOException(p + ": unreadable line: " + line);
                String key = line.substring(0, colon), value = line.substring(colon + 2);
                try {
                    switch (key) {
                        case "origin" -> origin = value;
                        case "published-checksums" -> published = value.equals("yes");
                        case "train" -> train = Integer.parseInt(value);
                        case "t10k" -> test = Integer.parseInt(value);
                        case "note" -> notes.add(value);
                        case "sha256" -> {
                            String[] parts = value.split("  ", 2);
                            if (parts.length != 2) throw new IOException(p + ": unreadable line: " + line);
                            sha.put(parts[1], parts[0]);
                        }
                        default -> throw new IOException(p + ": unknown key " + key);
                    }
                } catch (NumberFormatException e) {
                    throw new IOException(p + ": unreadable line: " + line);
                }
            }
            if (origin == null || published == null || train <= 0 || test <= 0) {
                throw new IOException(p + " is incomplete");
            }
            return new Record(origin, published, train, test, notes, sha);
        }
    }
}
