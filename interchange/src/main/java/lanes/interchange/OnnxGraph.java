package lanes.interchange;

import java.util.List;
import java.util.Map;

/** The part of an ONNX model the importer reads, as plain records (see {@link OnnxParser}). */
final class OnnxGraph {
    private OnnxGraph() {}

    // TensorProto.DataType values Lanes handles.
    static final int FLOAT = 1, INT32 = 6, INT64 = 7;

    static String typeName(int dataType) {
        return switch (dataType) {
            case 1 -> "FLOAT"; case 2 -> "UINT8"; case 3 -> "INT8"; case 4 -> "UINT16"; case 5 -> "INT16";
            case 6 -> "INT32"; case 7 -> "INT64"; case 8 -> "STRING"; case 9 -> "BOOL"; case 10 -> "FLOAT16";
            case 11 -> "DOUBLE"; case 12 -> "UINT32"; case 13 -> "UINT64"; case 16 -> "BFLOAT16";
            default -> "data type " + dataType;
        };
    }

    /**
     * @param opsets    domain ("" for the default ai.onnx) to version
     * @param metadata  metadata_props
     */
    record Model(long irVersion, Map<String, Long> opsets, String producer, String producerVersion, Graph graph,
                 Map<String, String> metadata) {}

    record Graph(List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs,
                 int sparseInitializers) {}

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes) {
        /** The name to show: the node's own, else its first output's. */
        String label() {
            return !name.isEmpty() ? name : outputs.isEmpty() ? opType : outputs.getFirst();
        }
    }

    /** One attribute; which fields mean something depends on {@code type} (AttributeProto.AttributeType). */
    record Attribute(String name, int type, float f, long i, String s, Tensor t, float[] floats, long[] ints) {
        static final int FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7;
    }

    /**
     * An initializer or constant. {@code floats} is set for FLOAT data, {@code ints} for INT64 and INT32;
     * both are null for other types and for {@code external} data.
     */
    record Tensor(String name, long[] dims, int dataType, float[] floats, long[] ints, boolean external) {
        long size() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    /** A graph input or output: element type and dims; a symbolic or unknown dim is -1. */
    record ValueInfo(String name, int elemType, long[] dims, boolean hasShape) {}
}
