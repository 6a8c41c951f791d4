package lanes.tools;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files a tool writes for its user (a history CSV, a recording): checked before the work that fills them,
 * so a bad path fails in a second rather than after training, and written whole or not at all.
 */
final class Outputs {
    private Outputs() {}

    /** True when the two paths name one file (after making them absolute, or through links when both exist). */
    static boolean same(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) return true;
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes sure {@code file} can be written: its directory exists (missing parents are created, as
     * {@code mkdir -p} would), is writable, and {@code file} is not itself a directory.
     */
    static void checkWritable(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) throw new IOException("cannot write " + file + ": not a file path");
        if (Files.isDirectory(target)) throw new IOException("cannot write " + file + ": it is a directory");
        try {
            Cli.directory(dir);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + Cli.describe(e), e);
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + file + ": directory " + dir
                + " is not writable (permission denied)");
    }

    /**
     * Writes {@code bytes} to {@code file} under a temporary name beside it, forces them to disk, then renames:
     * a reader (or a crash) sees the old file or the new one, never a part of the new one.
     */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        checkWritable(file);
        Path target = file.toAbsolutePath();
        // An existing file keeps what a write through it would have kept: a link stays a link (its
        // destination is replaced), and the file keeps its permissions.
        if (Files.exists(target)) target = target.toRealPath();
        Path temp = tempName(target.getParent(), target.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            if (Files.exists(target)) {
                try {
                    Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the new file gets the default permissions
                }
            }
            move(temp, target);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("cannot write " + file + ": " + Cli.describe(e), e);
        }
    }

    /**
     * A fresh name for a temporary file beside the final one, hidden: {@code .NAME-<random>.tmp}. Not created
     * here, so the file gets the usual permissions when its writer creates it (a created temp file would be
     * private to its owner).
     */
    static Path tempName(Path dir, String file) {
        return dir.resolve("." + file + "-" + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Renames {@code from} over {@code to}, atomically where the file system can. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
