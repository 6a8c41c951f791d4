package lanes.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** A digest of a file as published by whoever distributes it: algorithm ({@code SHA-256}, {@code MD5}) and hex value. */
record Checksum(String algorithm, String hex) {

    Checksum {
        hex = hex.toLowerCase(Locale.ROOT);
        digest(algorithm); // fail early on an unknown algorithm
    }

    static Checksum sha256(String hex) {
        return new Checksum("SHA-256", hex);
    }

    static Checksum md5(String hex) {
        return new Checksum("MD5", hex);
    }

    /** The digest of {@code file} with this checksum's algorithm, as lower-case hex. */
    String of(Path file) throws IOException {
        return compute(algorithm, file);
    }

    /**
     * Throws, naming the file and both values, unless {@code file} has this checksum.
     *
     * @param what  the file as the message should name it
     * @param whose where the expected value comes from ("published", "recorded in SOURCE.txt")
     */
    void verify(Path file, String what, String whose) throws IOException {
        String actual = of(file);
        if (!actual.equals(hex)) {
            throw new IOException(what + ": " + algorithm + " is " + actual + ", expected the " + whose + " " + hex
                    + " (corrupt or altered file)");
        }
    }

    static String compute(String algorithm, Path file) throws IOException {
        MessageDigest md = digest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("no " + algorithm + " digest in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return algorithm + " " + hex;
    }
}
