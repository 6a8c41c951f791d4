package lanes.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command (apt-get, dpkg-deb, npm) with a time limit, turning every failure into a readable IOException. */
final class Commands {
    private Commands() {}

    /**
     * Runs {@code cmd} in {@code cwd}; returns its combined output. Throws when it cannot start, runs past
     * {@code timeout} or exits non-zero, quoting the end of its output.
     */
    static String run(List<String> cmd, Path cwd, Duration timeout, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile(cwd, ".cmd-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IOException("could not run " + cmd.get(0) + " (" + e.getMessage() + "); is it installed and on PATH?", e);
            }
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + String.join(" ", cmd), e);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeout.toSeconds() + " s" + tail(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with status " + p.exitValue() + tail(out));
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** The last few lines of a command's output, for an error message. */
    private static String tail(String out) {
        String[] lines = out.strip().split("\n");
        if (lines.length == 1 && lines[0].isEmpty()) return "";
        int from = Math.max(0, lines.length - 4);
        return ": " + String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    /** Deletes a directory tree (temporary work directories only). */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is not worth failing the fetch for
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }
}
