package lanes.interchange;

import java.nio.charset.StandardCharsets;

/**
 * Reads protobuf wire format from a byte array: a field at a time, no schema, no library. Every read is
 * bounds-checked against the enclosing message, so a truncated or damaged file fails with
 * {@link ProtoException} naming the byte offset (from the start of the file) instead of reading past the
 * message or allocating what a corrupt length asks for.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LENGTH = 2, FIXED32 = 5;

    /** A structural problem at a byte offset in the file. */
    static final class ProtoException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long offset;

        ProtoException(long offset, String message) {
            super(message);
            this.offset = offset;
        }
    }

    private final byte[] data;
    private int pos;
    private final int end;
    private int fieldNumber, wireType;
    private int fieldStart;

    ProtoReader(byte[] data) {
        this(data, 0, data.length);
    }

    private ProtoReader(byte[] data, int from, int end) {
        this.data = data;
        this.pos = from;
        this.end = end;
    }

    /** Moves to the next field; false at the end of this message. */
    boolean next() {
        if (pos >= end) return false;
        fieldStart = pos;
        long key = readVarint();
        wireType = (int) (key & 7);
        long number = key >>> 3;
        if (number < 1 || number > 536_870_911) throw new ProtoException(fieldStart, "field number " + number + " is out of range");
        fieldNumber = (int) number;
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH && wireType != FIXED32)
            throw new ProtoException(fieldStart, "wire type " + wireType + " of field " + number + " is not one protobuf writes");
        return true;
    }

    int field() {
        return fieldNumber;
    }

    int wireType() {
        return wireType;
    }

    /** The offset of the current field's key, for error messages. */
    int fieldOffset() {
        return fieldStart;
    }

    int position() {
        return pos;
    }

    long readVarint() {
        long result = 0;
        int start = pos;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new ProtoException(start, "truncated: a varint runs past the end of its message at byte " + end);
            byte b = data[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) return result;
        }
        throw new ProtoException(start, "a varint is longer than 10 bytes");
    }

    int readFixed32() {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long readFixed64() {
        long lo = readFixed32() & 0xffffffffL;
        long hi = readFixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** The current length-delimited field as a reader of its own, and moves past it. */
    ProtoReader readMessage() {
        int length = readLength();
        ProtoReader sub = new ProtoReader(data, pos, pos + length);
        pos += length;
        return sub;
    }

    String readString() {
        int length = readLength();
        String s = new String(data, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** The bytes of the current length-delimited field, as [offset, length] into {@link #data()}. */
    int[] readSlice() {
        int length = readLength();
        int[] slice = {pos, length};
        pos += length;
        return slice;
    }

    byte[] data() {
        return data;
    }

    /** The current field as an int64 (VARINT), checking the wire type. */
    long int64(String what) {
        expect(VARINT, what);
        return readVarint();
    }

    float float32(String what) {
        expect(FIXED32, what);
        return Float.intBitsToFloat(readFixed32());
    }

    String string(String what) {
        expect(LENGTH, what);
        return readString();
    }

    ProtoReader message(String what) {
        expect(LENGTH, what);
        return readMessage();
    }

    /** A repeated int64 field: packed (LENGTH) or one value per field (VARINT); appends to {@code out}. */
    void int64s(String what, LongList out) {
        if (wireType == VARINT) {
            out.add(readVarint());
        } else if (wireType == LENGTH) {
            ProtoReader packed = readMessage();
            while (packed.pos < packed.end) out.add(packed.readVarint());
        } else {
            throw wrongType(what);
        }
    }

    /** A repeated float field: packed (LENGTH) or one value per field (FIXED32); appends to {@code out}. */
    void floats(String what, FloatList out) {
        if (wireType == FIXED32) {
            out.add(Float.intBitsToFloat(readFixed32()));
        } else if (wireType == LENGTH) {
            int length = readLength();
            if (length % 4 != 0) throw new ProtoException(fieldStart, what + ": packed floats of " + length + " bytes, not a multiple of 4");
            for (int i = 0; i < length; i += 4) out.add(Float.intBitsToFloat(readFixed32()));
        } else {
            throw wrongType(what);
        }
    }

    /** Skips the current field's value. */
    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8); pos += 8; }
            case FIXED32 -> { need(4); pos += 4; }
            default -> {
                int length = readLength(); // not "pos += readLength()": that adds to pos as it was before the length
                pos += length;
            }
        }
    }

    private int readLength() {
        int start = pos;
        long length = readVarint();
        if (length < 0 || length > end - pos) throw new ProtoException(start,
                "truncated: field " + fieldNumber + " declares " + length + " bytes but its message has " + (end - pos) + " left");
        return (int) length;
    }

    private void need(int n) {
        if (end - pos < n) throw new ProtoException(pos, "truncated: field " + fieldNumber + " needs " + n + " bytes, " + (end - pos) + " left");
    }

    private void expect(int type, String what) {
        if (wireType != type) throw wrongType(what);
    }

    private ProtoException wrongType(String what) {
        return new ProtoException(fieldStart, what + " (field " + fieldNumber + ") has wire type " + wireType
                + ", not the one its type is written with");
    }

    /** A growable long array (no boxing for tensors of int64). */
    static final class LongList {
        long[] values = new long[8];
        int size;

        void add(long v) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** A growable float array. */
    static final class FloatList {
        float[] values = new float[16];
        int size;

        void add(float v) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
