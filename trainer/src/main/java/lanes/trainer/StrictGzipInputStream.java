package lanes.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip decoder (RFC 1952) that refuses what {@link java.util.zip.GZIPInputStream} lets through: it
 * checks every member's CRC-32 and length, accepts concatenated members, and treats any byte after the
 * last member that does not start a new member as an error instead of silently dropping it. Every error is
 * an {@link IdxFormatException} with the offset in the compressed file.
 */
final class StrictGzipInputStream extends InputStream {
    // Header flag bits; FTEXT (1) is only a hint and needs nothing.
    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private final InputStream in;
    private final String file;
    private final byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private long base;          // compressed offset of buf[0]
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberStart;   // compressed offset of the current member's header
    private long memberOut;     // decompressed bytes of the current member so far
    private boolean eof;

    StrictGzipInputStream(InputStream in, String file) throws IOException {
        this.in = in;
        this.file = file;
        readHeader();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!eof) {
            if (inflater.needsInput() && !inflater.finished()) {
                if (pos == lim && !fill()) {
                    throw error(offset(), "more deflate data (member starting at byte " + memberStart + ")",
                            "the end of the file: the gzip stream is truncated");
                }
                inflater.setInput(buf, pos, lim - pos);
                pos = lim;
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw error(inputOffset(), "valid deflate data", "corrupt data (" + e.getMessage() + ")");
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                return n;
            }
            if (inflater.finished()) {
                pos = lim - inflater.getRemaining();
                readTrailer();
                if (pos == lim && !fill()) {
                    eof = true;
                } else if ((buf[pos] & 0xff) == 0x1f) {
                    inflater.reset();
                    crc.reset();
                    memberOut = 0;
                    readHeader();
                } else {
                    throw error(offset(), "the end of the file or another gzip member (1f 8b)",
                            String.format("trailing byte 0x%02x after the gzip data", buf[pos] & 0xff));
                }
            } else if (inflater.needsDictionary()) {
                throw error(inputOffset(), "plain deflate data", "a preset dictionary, which gzip never uses");
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    private long offset() {
        return base + pos;
    }

    private long inputOffset() {
        return base + lim - inflater.getRemaining();
    }

    private boolean fill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n = in.readNBytes(buf, 0, buf.length);
        lim = n;
        return n > 0;
    }

    private int readByte(String what) throws IOException {
        if (pos == lim && !fill()) {
            throw error(offset(), what, "the end of the file: the gzip stream is truncated");
        }
        return buf[pos++] & 0xff;
    }

    private void readHeader() throws IOException {
        memberStart = offset();
        int id1 = readByte("gzip magic 1f 8b");
        int id2 = readByte("gzip magic 1f 8b");
        if (id1 != 0x1f || id2 != 0x8b) {
            throw error(memberStart, "gzip magic 1f 8b", String.format("%02x %02x", id1, id2));
        }
        long at = offset();
        int cm = readByte("the gzip compression method");
        if (cm != 8) throw error(at, "gzip compression method 8 (deflate)", "method " + cm);
        at = offset();
        int flg = readByte("the gzip flags");
        if ((flg & 0xe0) != 0) throw error(at, "gzip flags with the reserved bits clear", String.format("0x%02x", flg));
        for (int i = 0; i < 6; i++) readByte("the rest of the gzip header (mtime, xfl, os)");
        if ((flg & FEXTRA) != 0) {
            int xlen = readByte("the gzip extra-field length") | readByte("the gzip extra-field length") << 8;
            for (int i = 0; i < xlen; i++) readByte("the gzip extra field (" + xlen + " bytes)");
        }
        if ((flg & FNAME) != 0) while (readByte("the end of the gzip file-name field") != 0) { /* skip */ }
        if ((flg & FCOMMENT) != 0) while (readByte("the end of the gzip comment field") != 0) { /* skip */ }
        if ((flg & FHCRC) != 0) {
            readByte("the gzip header CRC");
            readByte("the gzip header CRC");
        }
    }

    private void readTrailer() throws IOException {
        long at = offset();
        long storedCrc = readLe32("the gzip trailer (CRC-32)");
        long storedSize = readLe32("the gzip trailer (length)");
        if (storedCrc != crc.getValue()) {
            throw error(at, String.format("CRC-32 %08x of the decompressed member", crc.getValue()),
                    String.format("%08x: the gzip data is corrupt", storedCrc));
        }
        if (storedSize != (memberOut & 0xffffffffL)) {
            throw error(at + 4, "member length " + memberOut + " (mod 2^32)", storedSize + ": the gzip data is corrupt");
        }
    }

    private long readLe32(String what) throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) v |= (long) readByte(what) << (8 * i);
        return v;
    }

    private IdxFormatException error(long offset, String expected, String found) {
        return new IdxFormatException(file, offset, false, expected, found);
    }
}
