package lanes.interchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A float tensor as ONNX stores it (a serialized {@code TensorProto}): the data of ONNX's backend-test
 * directories ({@code test_data_set_N/input_K.pb}, {@code output_K.pb}).
 *
 * @param dims the shape, outermost first (NCHW for images)
 * @param data the values, row-major in that shape; not copied
 */
public record OnnxTensor(long[] dims, float[] data) {

    /** Reads a serialized float TensorProto. */
    public static OnnxTensor read(Path file) throws IOException {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImportException(source, "no such file");
        }
        OnnxGraph.Tensor t;
        try {
            t = OnnxParser.tensor(new ProtoReader(bytes), "tensor");
        } catch (ProtoReader.ProtoException e) {
            throw new ImportException(source, "not a serialized ONNX TensorProto: " + e.getMessage() + " (at byte " + e.offset + ")");
        }
        if (t.external()) throw new ImportException(source, "tensor " + t.name() + " keeps its data in an external file, which Lanes does not read");
        if (t.dataType() != OnnxGraph.FLOAT) throw new ImportException(source,
                "tensor " + t.name() + " is " + OnnxGraph.typeName(t.dataType()) + ", expected FLOAT");
        return new OnnxTensor(t.dims(), t.floats());
    }

    /** The batch size: the first dimension (1 for a scalar or 1-D tensor). */
    public int batch() {
        return dims.length < 2 ? 1 : (int) dims[0];
    }

    /**
     * Example {@code i} of the batch in the engine's order: an NCHW image ([N, C, H, W]) as H,W,C,
     * anything else as it is stored.
     */
    public float[] example(int i) {
        int per = (int) (size() / batch());
        float[] out = new float[per];
        if (dims.length == 4) {
            int c = (int) dims[1], h = (int) dims[2], w = (int) dims[3];
            for (int ci = 0; ci < c; ci++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        out[(y * w + x) * c + ci] = data[i * per + (ci * h + y) * w + x];
        } else {
            System.arraycopy(data, i * per, out, 0, per);
        }
        return out;
    }

    /** The number of elements. */
    public long size() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && Arrays.equals(dims, t.dims) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "OnnxTensor" + Arrays.toString(dims);
    }
}
