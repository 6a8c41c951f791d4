package lanes.interchange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lanes.interchange.OnnxGraph.Attribute;
import lanes.interchange.OnnxGraph.Graph;
import lanes.interchange.OnnxGraph.Model;
import lanes.interchange.OnnxGraph.Node;
import lanes.interchange.OnnxGraph.Tensor;
import lanes.interchange.OnnxGraph.ValueInfo;
import lanes.interchange.ProtoReader.FloatList;
import lanes.interchange.ProtoReader.LongList;
import lanes.interchange.ProtoReader.ProtoException;

/**
 * ONNX's protobuf messages (onnx.proto, field numbers as there) read into {@link OnnxGraph} records.
 * Only the fields the importer needs are kept; all others are skipped. Structural damage throws
 * {@link ProtoException} with the byte offset.
 */
final class OnnxParser {
    private OnnxParser() {}

    static Model model(byte[] bytes) {
        ProtoReader r = new ProtoReader(bytes);
        long ir = -1;
        Map<String, Long> opsets = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        String producer = "", producerVersion = "";
        Graph graph = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> ir = r.int64("ir_version");
                case 2 -> producer = r.string("producer_name");
                case 3 -> producerVersion = r.string("producer_version");
                case 7 -> graph = graph(r.message("graph"));
                case 8 -> {
                    ProtoReader o = r.message("opset_import");
                    String domain = "";
                    long version = -1;
                    while (o.next()) {
                        if (o.field() == 1) domain = o.string("opset_import.domain");
                        else if (o.field() == 2) version = o.int64("opset_import.version");
                        else o.skip();
                    }
                    opsets.put(domain.equals("ai.onnx") ? "" : domain, version);
                }
                case 14 -> {
                    ProtoReader e = r.message("metadata_props");
                    String key = "", value = "";
                    while (e.next()) {
                        if (e.field() == 1) key = e.string("metadata_props.key");
                        else if (e.field() == 2) value = e.string("metadata_props.value");
                        else e.skip();
                    }
                    metadata.put(key, value);
                }
                default -> r.skip();
            }
        }
        if (graph == null) throw new ProtoException(0, "no graph (an ONNX ModelProto has one in field 7)");
        if (ir < 0) throw new ProtoException(0, "no ir_version (field 1 of an ONNX ModelProto)");
        return new Model(ir, opsets, producer, producerVersion, graph, metadata);
    }

    static Graph graph(ProtoReader r) {
        List<Node> nodes = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        int sparse = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> nodes.add(node(r.message("node")));
                case 5 -> initializers.add(tensor(r.message("initializer"), "initializer"));
                case 11 -> inputs.add(valueInfo(r.message("input")));
                case 12 -> outputs.add(valueInfo(r.message("output")));
                case 15 -> { sparse++; r.skip(); }
                default -> r.skip();
            }
        }
        return new Graph(nodes, initializers, inputs, outputs, sparse);
    }

    static Node node(ProtoReader r) {
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        String name = "", op = "", domain = "";
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> in.add(r.string("node.input"));
                case 2 -> out.add(r.string("node.output"));
                case 3 -> name = r.string("node.name");
                case 4 -> op = r.string("node.op_type");
                case 7 -> domain = r.string("node.domain");
                case 5 -> {
                    Attribute a = attribute(r.message("node.attribute"));
                    attributes.put(a.name(), a);
                }
                default -> r.skip();
            }
        }
        return new Node(name, op, domain.equals("ai.onnx") ? "" : domain, in, out, attributes);
    }

    static Attribute attribute(ProtoReader r) {
        String name = "", s = null;
        int type = 0;
        float f = 0;
        long i = 0;
        Tensor t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string("attribute.name");
                case 20 -> type = (int) r.int64("attribute.type");
                case 2 -> f = r.float32("attribute.f");
                case 3 -> i = r.int64("attribute.i");
                case 4 -> s = r.string("attribute.s");
                case 5 -> t = tensor(r.message("attribute.t"), "attribute tensor");
                case 7 -> r.floats("attribute.floats", floats);
                case 8 -> r.int64s("attribute.ints", ints);
                default -> r.skip();
            }
        }
        return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray());
    }

    static Tensor tensor(ProtoReader r, String what) {
        int start = r.position();
        LongList dims = new LongList();
        int dataType = 0;
        String name = "";
        FloatList floatData = new FloatList();
        LongList intData = new LongList();
        int[] raw = null;
        boolean external = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> r.int64s(what + ".dims", dims);
                case 2 -> dataType = (int) r.int64(what + ".data_type");
                case 4 -> r.floats(what + ".float_data", floatData);
                case 5, 7 -> r.int64s(what + ".int_data", intData);
                case 8 -> name = r.string(what + ".name");
                case 9 -> {
                    if (r.wireType() != ProtoReader.LENGTH) throw new ProtoException(r.fieldOffset(), what + ".raw_data is not length-delimited");
                    raw = r.readSlice();
                }
                case 13 -> { external = true; r.skip(); }
                case 14 -> external |= r.int64(what + ".data_location") == 1;
                default -> r.skip();
            }
        }
        long[] shape = dims.toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0) throw new ProtoException(start, what + " " + name + " has a negative dimension " + d);
            count = Math.multiplyHigh(count, d) != 0 || count * d > Integer.MAX_VALUE ? Long.MAX_VALUE : count * d;
        }
        if (external) return new Tensor(name, shape, dataType, null, null, true);
        String label = what + " " + name;
        float[] floats = null;
        long[] ints = null;
        if (dataType == OnnxGraph.FLOAT) {
            if (raw != null) {
                check(start, label, count, raw[1], 4);
                floats = new float[(int) count];
                ByteBuffer.wrap(r.data(), raw[0], raw[1]).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floats);
            } else {
                check(start, label, count, floatData.size, 1);
                floats = floatData.toArray();
            }
        } else if (dataType == OnnxGraph.INT64 || dataType == OnnxGraph.INT32) {
            int width = dataType == OnnxGraph.INT64 ? 8 : 4;
            if (raw != null) {
                check(start, label, count, raw[1], width);
                ints = new long[(int) count];
                ByteBuffer b = ByteBuffer.wrap(r.data(), raw[0], raw[1]).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < count; k++) ints[k] = width == 8 ? b.getLong() : b.getInt();
            } else {
                check(start, label, count, intData.size, 1);
                ints = intData.toArray();
            }
        }
        return new Tensor(name, shape, dataType, floats, ints, false);
    }

    private static void check(int offset, String label, long count, long found, int width) {
        if (count == Long.MAX_VALUE) throw new ProtoException(offset, label + " has more than 2^31 elements");
        if (found != count * width) throw new ProtoException(offset, label + " has dims for " + count
                + " elements but " + (width == 1 ? found + " values" : found + " bytes of data (" + width + " per element)"));
    }

    static ValueInfo valueInfo(ProtoReader r) {
        String name = "";
        int elemType = 0;
        LongList dims = new LongList();
        boolean hasShape = false;
        while (r.next()) {
            if (r.field() == 1) {
                name = r.string("value_info.name");
            } else if (r.field() == 2) {
                ProtoReader type = r.message("value_info.type");
                while (type.next()) {
                    if (type.field() != 1) { type.skip(); continue; }
                    ProtoReader tensor = type.message("type.tensor_type");
                    while (tensor.next()) {
                        if (tensor.field() == 1) {
                            elemType = (int) tensor.int64("tensor_type.elem_type");
                        } else if (tensor.field() == 2) {
                            hasShape = true;
                            ProtoReader shape = tensor.message("tensor_type.shape");
                            while (shape.next()) {
                                if (shape.field() != 1) { shape.skip(); continue; }
                                ProtoReader dim = shape.message("shape.dim");
                                long value = -1;
                                while (dim.next()) {
                                    if (dim.field() == 1) value = dim.int64("dim.dim_value");
                                    else dim.skip();
                                }
                                dims.add(value);
                            }
                        } else {
                            tensor.skip();
                        }
                    }
                }
            } else {
                r.skip();
            }
        }
        return new ValueInfo(name, elemType, dims.toArray(), hasShape);
    }
}
