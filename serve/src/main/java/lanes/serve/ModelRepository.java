package lanes.serve;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lanes.engine.BadInputException;
import lanes.engine.Model;

/**
 * Where the served model comes from, and its hot reload. Three sources:
 * <ul>
 *   <li>none: the MNIST model inside the engine jar, version 1, never reloaded;</li>
 *   <li>a weight file: version 1, and one more each time the file is replaced by one that loads;</li>
 *   <li>a directory of numbered version directories, TensorFlow Serving style ({@code DIR/1/model.lnw},
 *       {@code DIR/2/model.lnw} ...): the highest version that loads is served. Each version directory
 *       holds one {@code .lnw} file (or several, and then {@code model.lnw} is the one).</li>
 * </ul>
 * A background thread polls the source ({@code --poll}); a change is loaded beside the serving model and
 * swapped in with one volatile write, so requests already running finish on the model they started
 * with. A file that does not load is logged, counted in the metrics, and not tried again until it
 * changes; the serving model stays. Weight files are written atomically (a temporary file renamed into
 * place) and checksummed, so a half-copied file fails its check and is retried when it changes again.
 *
 * <p>Polling rather than a WatchService: it sees replacements through renames and symlinks alike, and
 * costs a few stat calls a second.
 */
final class ModelRepository implements AutoCloseable {
    private final Path path;          // null: the bundled model
    private final Duration poll;
    private final Log log;
    private final Metrics metrics;
    private volatile Served current;
    private ScheduledExecutorService poller;
    /** A file's identity: changes when it is replaced or rewritten. */
    private record Stamp(Object key, long size, long modified) {}
    private Stamp currentStamp;
    /** Files that failed, by version (0 for the single-file source): not retried until their stamp changes. */
    private final Map<Long, Stamp> failed = new HashMap<>();
    /** Version directories skipped as ambiguous, with the reason last logged. */
    private final Map<Long, String> skipped = new HashMap<>();

    ModelRepository(Path path, Duration poll, Log log, Metrics metrics) {
        this.path = path;
        this.poll = Objects.requireNonNull(poll);
        this.log = log;
        this.metrics = metrics;
    }

    /** The served model, or null before the first load. */
    Served current() {
        return current;
    }

    /**
     * The first load, on the caller's thread; then starts polling (not for the bundled model).
     *
     * @return true when a model is being served; false when a version directory has no version yet
     *         (the server stays not-ready and polling goes on)
     * @throws IOException if the bundled model or the given file cannot be loaded, or {@code --model}
     *                     names nothing
     */
    boolean start() throws IOException {
        if (path == null || bundled(path)) {
            long t0 = System.nanoTime();
            Model m = path == null ? Model.loadDefault() : Model.loadBundled(path.toString());
            install(m, 1, m.source(), null, t0);
            return true;
        }
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        boolean serving;
        if (Files.isDirectory(path)) {
            serving = pollDirectory();
            if (!serving) log.warn(path + ": no numbered version directory with a .lnw file yet; waiting for one");
        } else {
            Stamp s = stamp(path);
            long t0 = System.nanoTime();
            Model m = load(path);   // a broken file at start-up is fatal: there is nothing else to serve
            install(m, 1, path.toString(), s, t0);
            serving = true;
        }
        if (!poll.isZero()) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lanes-model-poller");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::pollSafely, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        }
        return serving;
    }

    /** True for the name of a model inside the engine jar (mnist, mnist-fast) when no file has that name. */
    static boolean bundled(Path p) {
        return Model.BUNDLED.contains(p.toString()) && !Files.exists(p);
    }

    private void pollSafely() {
        try {
            if (Files.isDirectory(path)) pollDirectory();
            else pollFile();
        } catch (RuntimeException | IOException | OutOfMemoryError e) {
            log.warn(path + ": cannot check for a new model: " + e);
        }
    }

    /** Reloads the single file when its stamp changed (and it has not already failed as it is). */
    private void pollFile() throws IOException {
        if (!Files.exists(path)) return; // being replaced, or removed: keep serving
        Stamp s = stamp(path);
        if (s.equals(currentStamp) || s.equals(failed.get(0L))) return;
        long t0 = System.nanoTime();
        try {
            Model m = load(path);
            Served c = current;
            install(m, c == null ? 1 : c.version() + 1, path.toString(), s, t0);
            failed.remove(0L);
        } catch (IOException e) {
            failed.put(0L, s);
            loadFailed(e);
        }
    }

    /**
     * Serves the highest version that loads: tries versions from the highest down, skipping files that
     * already failed as they are, and stops at the one being served (when unchanged).
     *
     * @return true when a model is served afterwards
     */
    private boolean pollDirectory() throws IOException {
        TreeMap<Long, Path> versions = versions();
        Served c = current;
        for (Map.Entry<Long, Path> e : versions.descendingMap().entrySet()) {
            long v = e.getKey();
            Path file;
            try {
                file = modelFile(v, e.getValue());
            } catch (IOException ex) {
                String why = ex.getMessage();
                if (!why.equals(skipped.put(v, why))) log.warn(why); // once, not at every poll
                continue;
            }
            skipped.remove(v);
            if (file == null) continue; // no weight file yet: being copied in, most likely
            Stamp s;
            try {
                s = stamp(file);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (c != null && c.version() == v && s.equals(currentStamp)) return true; // already serving it
            if (s.equals(failed.get(v))) continue;
            long t0 = System.nanoTime();
            try {
                Model m = load(file);
                install(m, v, file.toString(), s, t0);
                failed.remove(v);
                return true;
            } catch (IOException ex) {
                failed.put(v, s);
                loadFailed(ex);
            }
        }
        return c != null;
    }

    /** Numbered subdirectories (all digits, at most 18 of them), by number. */
    private TreeMap<Long, Path> versions() throws IOException {
        TreeMap<Long, Path> versions = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(path)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || name.length() > 18 || !name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) continue;
                if (Files.isDirectory(p)) versions.put(Long.parseLong(name), p);
            }
        }
        return versions;
    }

    /** The weight file of a version directory, or null when it has none yet. */
    private static Path modelFile(long version, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(dir, "*.lnw")) {
            for (Path p : d) if (Files.isRegularFile(p)) files.add(p);
        }
        if (files.size() == 1) return files.getFirst();
        if (files.isEmpty()) return null;
        Path named = dir.resolve("model.lnw");
        if (Files.isRegularFile(named)) return named;
        throw new IOException(dir + ": version " + version + " has " + files.size()
                + " .lnw files and none is named model.lnw; skipping it");
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
    }

    private Model load(Path file) throws IOException {
        try {
            return Model.load(file);
        } catch (OutOfMemoryError e) {
            throw new IOException(file + ": not enough memory to load it", e);
        } catch (RuntimeException e) {
            // a defect, not a bad file: still counted as a failed load and remembered with the file's
            // stamp, so the poller neither retries nor logs it again until the file changes
            throw new IOException(file + ": cannot be loaded: " + e, e);
        }
    }

    private void install(Model m, long version, String source, Stamp stamp, long startNanos) {
        Served previous = current;
        currentStamp = stamp;
        current = new Served(m, version, source, Instant.now());
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        metrics.modelLoaded(version, seconds);
        log.info((previous == null ? "loaded " : "reloaded: now serving ") + "version " + version + " from " + source
                + String.format(java.util.Locale.ROOT, " (%d inputs, %d outputs, %.1f ms)",
                        m.inputSize(), m.outputs(), seconds * 1e3)
                + (previous == null ? "" : "; version " + previous.version() + " finishes its requests"));
    }

    private void loadFailed(IOException e) {
        metrics.modelLoadFailed();
        String why = e instanceof BadInputException bad ? bad.getMessage() : String.valueOf(e.getMessage());
        Served c = current;
        log.warn("cannot load " + why + (c == null ? "" : "; still serving version " + c.version()));
    }

    @Override
    public void close() {
        if (poller != null) poller.shutdownNow();
    }
}
