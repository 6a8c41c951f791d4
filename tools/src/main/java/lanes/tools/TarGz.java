package lanes.tools;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads regular files out of a {@code .tar.gz} (ustar, with pax and GNU long names), enough for an npm
 * package tarball, without depending on a {@code tar} binary.
 */
final class TarGz {
    private TarGz() {}

    /** The contents of every regular file whose name {@code want} accepts, by name, in archive order. */
    static Map<String, byte[]> read(Path tgz, Predicate<String> want, long maxEntryBytes) throws IOException {
        Map<String, byte[]> found = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            long offset = 0;
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512) throw new IOException(tgz + ": truncated tar header at byte " + offset);
                offset += 512;
                if (allZero(header)) return found;
                long size = octal(header, 124, 12, tgz, offset - 512);
                if (size < 0 || size > maxEntryBytes) {
                    throw new IOException(tgz + ": tar entry at byte " + (offset - 512) + " is " + size
                            + " bytes, more than the " + maxEntryBytes + " expected");
                }
                char type = (char) header[156];
                String name = longName != null ? longName : name(header);
                longName = null;
                boolean keep = (type == '0' || type == 0) && want.test(name);
                boolean meta = type == 'x' || type == 'L';
                byte[] body = keep || meta ? in.readNBytes((int) size) : null;
                if (body != null && body.length < size) throw new IOException(tgz + ": truncated tar entry " + name);
                if (body == null) in.skipNBytes(size);
                long pad = (512 - size % 512) % 512;
                in.skipNBytes(pad);
                offset += size + pad;
                if (type == 'L') longName = cString(body, 0, body.length);
                else if (type == 'x') longName = paxPath(body);
                else if (keep) found.put(name, body);
            }
        }
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String paxPath(byte[] body) {
        String records = new String(body, StandardCharsets.UTF_8);
        for (String rec : records.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp > 0 && rec.startsWith("path=", sp + 1)) return rec.substring(sp + 1 + "path=".length());
        }
        return null;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len, Path tgz, long at) throws IOException {
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c == 0 || c == ' ') {
                if (digits) break;
                continue;
            }
            if (c < '0' || c > '7') throw new IOException(tgz + ": bad tar size field at byte " + (at + off));
            v = v * 8 + (c - '0');
            digits = true;
        }
        return v;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
