package lanes.interchange;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The HDF5 file under a Keras model, read with jhdf (pure Java), and the one place jhdf is called: every
 * call is wrapped so that whatever a damaged file makes jhdf throw reaches the user as an
 * {@link ImportException} saying the file is damaged and what was being read.
 *
 * <p>The whole file is handed to jhdf as bytes, not as a path: Keras files are a few MB, a {@code .keras}
 * archive's weights are bytes already, and jhdf then never maps a file that could change under it.
 */
final class Hdf5 implements AutoCloseable {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final HdfFile file;
    private final String source;
    private final String what;
    private final long length;

    private Hdf5(HdfFile file, String source, String what, long length) {
        this.file = file;
        this.source = source;
        this.what = what;
        this.length = length;
    }

    static boolean isHdf5(byte[] bytes) {
        return bytes.length >= SIGNATURE.length && Arrays.equals(bytes, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
    }

    /**
     * Opens HDF5 bytes. {@code what} names them in errors ("the HDF5 file", "model.weights.h5 in the archive").
     * A file shorter than its superblock says is reported as truncated before jhdf sees it.
     */
    static Hdf5 open(byte[] bytes, String source, String what) throws ImportException {
        if (!isHdf5(bytes)) throw new ImportException(source, what + " is not HDF5 (no HDF5 signature)");
        long declared = declaredLength(bytes);
        if (declared > bytes.length) throw new ImportException(source, "truncated: " + what + " says it is "
                + declared + " bytes long, but only " + bytes.length + " bytes are there");
        try {
            return new Hdf5(HdfFile.fromBytes(bytes), source, what, bytes.length);
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged(source, what, "its superblock and root group", e);
        }
    }

    /**
     * The end-of-file address of a superblock at offset 0 (version 0 or 1: after the base, free-space
     * and extension addresses; version 2 or 3: after the base and extension addresses), or -1 when it
     * cannot be told, in which case jhdf's own checks apply.
     */
    static long declaredLength(byte[] b) {
        if (b.length < 16) return -1;
        int version = b[8] & 0xff;
        int sizeOfOffsets;
        int at;
        if (version <= 1) {
            sizeOfOffsets = b[13] & 0xff;
            at = 24 + (version == 1 ? 4 : 0) + 2 * sizeOfOffsets;
        } else if (version <= 3) {
            sizeOfOffsets = b[9] & 0xff;
            at = 12 + 2 * sizeOfOffsets;
        } else {
            return -1;
        }
        if (sizeOfOffsets != 8 && sizeOfOffsets != 4) return -1;
        if (at + sizeOfOffsets > b.length) return -1;
        ByteBuffer buffer = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long eof = sizeOfOffsets == 8 ? buffer.getLong(at) : Integer.toUnsignedLong(buffer.getInt(at));
        long base = sizeOfOffsets == 8 ? buffer.getLong(version <= 1 ? 24 + (version == 1 ? 4 : 0) : 12)
                : Integer.toUnsignedLong(buffer.getInt(version <= 1 ? 24 + (version == 1 ? 4 : 0) : 12));
        // Only a file without a user block (base 0) has its length there; an undefined address is all ones.
        return base == 0 && eof >= 0 ? eof : -1;
    }

    Group root() {
        return file;
    }

    /** The child named {@code name} of {@code group}, or null. */
    Node child(Group group, String name) throws ImportException {
        try {
            return group.getChildren().get(name);
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged("the members of " + path(group), e);
        }
    }

    /** The node at {@code path} below {@code group} (Keras 3's legacy writer nests weights in subgroups), or null. */
    Node at(Group group, String path) throws ImportException {
        try {
            return group.getByPath(path);
        } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged(path + " below " + path(group), e);
        }
    }

    /** The names of {@code group}'s children, in jhdf's order. */
    List<String> childNames(Group group) throws ImportException {
        try {
            return List.copyOf(group.getChildren().keySet());
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged("the members of " + path(group), e);
        }
    }

    /**
     * A string attribute (Keras stores its JSON and version strings as fixed-length byte strings), or
     * null when absent.
     */
    String string(Node node, String name) throws ImportException {
        Object data = attribute(node, name);
        if (data == null) return null;
        if (data instanceof String s) return s;
        if (data instanceof String[] a && a.length == 1) return unreadableIfNull(a[0], node, name);
        throw new ImportException(source, "attribute " + name + " of " + path(node) + " is not a string");
    }

    /**
     * A list-of-strings attribute, or null when absent. Keras splits one over 64 KiB into
     * {@code name0}, {@code name1}, ... (HDF5's object header limit); those are joined. An empty
     * array of any type (Keras writes a float64 array of length 0 for a layer without weights) is an
     * empty list.
     */
    List<String> strings(Node node, String name) throws ImportException {
        Object data = attribute(node, name);
        if (data != null) return stringList(node, name, data);
        List<String> joined = null;
        for (int chunk = 0; ; chunk++) {
            Object part = attribute(node, name + chunk);
            if (part == null) return joined;
            if (joined == null) joined = new ArrayList<>();
            joined.addAll(stringList(node, name + chunk, part));
        }
    }

    private List<String> stringList(Node node, String name, Object data) throws ImportException {
        if (data instanceof String s) return List.of(s);
        if (data instanceof String[] a) {
            for (String each : a) unreadableIfNull(each, node, name);
            return List.of(a);
        }
        if (data.getClass().isArray() && java.lang.reflect.Array.getLength(data) == 0) return List.of();
        throw new ImportException(source, "attribute " + name + " of " + path(node) + " is not a list of names");
    }

    /**
     * jhdf decodes a value it cannot name as null: an enum value outside its enum's members, which is what a
     * damaged datatype turns a list of names into. A damaged file, not an absent name.
     */
    private String unreadableIfNull(String value, Node node, String name) throws ImportException {
        if (value == null) throw undecodable(node, name);
        return value;
    }

    private ImportException undecodable(Node node, String name) {
        return new ImportException(source, "damaged or truncated: " + what + " could not be read at attribute "
                + name + " of " + path(node) + " (a value that cannot be decoded)");
    }

    private Object attribute(Node node, String name) throws ImportException {
        try {
            Attribute a = node.getAttributes().get(name);
            if (a == null) return null;
            if (a.isEmpty()) return new String[0];
            if (a.getSize() > length) throw new ImportException(source, "damaged: attribute " + name + " of "
                    + path(node) + " claims " + a.getSize() + " values in a file of " + length + " bytes");
            Object data = a.getData();
            if (data == null) throw undecodable(node, name); // present, but nothing jhdf could decode: not absent
            return data;
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged("attribute " + name + " of " + path(node), e);
        }
    }

    /**
     * The float32 (or float64, narrowed) values of {@code dataset}, which must have exactly the shape
     * {@code expected}; checked before anything is allocated, as is that the file holds that many bytes
     * for it (an unfiltered dataset stores all of them; a filtered one cannot inflate past deflate's limit).
     */
    float[] floats(Dataset dataset, int[] expected, String name) throws ImportException, ShapeMismatch {
        int[] dims;
        long size;
        long stored;
        boolean filtered;
        Class<?> type;
        try {
            dims = dataset.getDimensions();
            type = dataset.getJavaType();
            size = dataset.getSizeInBytes();
            filtered = !dataset.getFilters().isEmpty();
            stored = dataset.getStorageInBytes();
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged("the header of dataset " + path(dataset), e);
        }
        if (!Arrays.equals(dims, expected)) throw new ShapeMismatch(dims);
        if (type != float.class && type != double.class)
            throw new ImportException(source, name + " holds " + type.getSimpleName()
                    + " values (dataset " + path(dataset) + "); expected float32");
        long limit = filtered ? stored * 1100 : stored;
        if (size > limit || stored > length) throw new ImportException(source, "damaged: dataset "
                + path(dataset) + " declares " + size + " bytes of values, but the file stores " + stored
                + (filtered ? " compressed" : "") + " bytes for it");
        Object data;
        try {
            data = dataset.getDataFlat();
        } catch (RuntimeException | StackOverflowError e) {
            throw damaged("the values of dataset " + path(dataset), e);
        }
        if (data instanceof float[] f) return f;
        if (data instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new ImportException(source, "damaged: dataset " + path(dataset) + " did not read as numbers");
    }

    /** A dataset whose dimensions are not the expected ones: the caller, who knows the layer, says so. */
    static final class ShapeMismatch extends Exception {
        private static final long serialVersionUID = 1L;
        final int[] found;

        ShapeMismatch(int[] found) {
            super(null, null, false, false);
            this.found = found;
        }
    }

    static String path(Node node) {
        try {
            return node.getPath();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private ImportException damaged(String reading, Throwable e) {
        return damaged(source, what, reading, e);
    }

    private static ImportException damaged(String source, String what, String reading, Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.length() > 200) message = message.substring(0, 200) + "...";
        return new ImportException(source, "damaged or truncated: " + what + " could not be read at " + reading
                + " (" + message + ")", e);
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (RuntimeException ignored) {
            // An in-memory file holds nothing to release; a failure here cannot lose data.
        }
    }
}
