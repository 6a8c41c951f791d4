package lanes.interchange;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.InputRange;
import lanes.engine.Metadata;
import lanes.engine.Model;
import lanes.engine.Provenance;
import lanes.engine.Weights;
import lanes.interchange.KerasConfig.Invalid;
import lanes.kernels.KernelsProvider;

/**
 * Keras models as engine {@link Weights}: a {@code .keras} archive (Keras 3, and Keras 2.13+'s
 * {@code _layer_checkpoint_dependencies} layout) or a legacy {@code .h5} file (Keras 2.x, tf.keras, and
 * Keras 3's legacy writer). The format is told from the file's first bytes, not its name.
 *
 * <p>Everything is checked here, at load: the config (all unsupported layers listed at once, with what to
 * do), that a Functional model is a single chain, and every weight tensor's shape and values. A problem
 * names the layer, its class, the Keras version, and what was expected against what was found.
 *
 * <p>The weights come out exactly as Keras stored them (HWIO kernels and Keras' flatten order are the
 * engine's own); the input range is [0, 1] and there are no labels: the caller sets those (a model
 * trained on raw pixels needs {@code InputRange(0, 255)}).
 */
public final class KerasImporter {

    /** Larger files are refused before they are read: a Keras MLP or CNN for images is a few MB. */
    static final long MAX_FILE_BYTES = 1L << 30;
    /** The JSON members of a .keras archive are a few KiB. */
    static final int MAX_JSON_BYTES = 64 << 20;

    private static final byte[] ZIP = {'P', 'K', 3, 4};

    private KerasImporter() {}

    /**
     * Reads a Keras model file.
     *
     * @throws ImportException if the file cannot be read, is not a Keras model, is damaged or truncated,
     *                         or holds a model the engine cannot run (the message says why and what to do)
     */
    public static Weights read(Path file) throws ImportException {
        String source = file.toString();
        if (Files.isDirectory(file)) throw new ImportException(source, "a directory, not a Keras model file"
                + " (a TensorFlow SavedModel?); save the model with model.save(\"model.keras\")");
        byte[] head = new byte[8];
        long length;
        try (InputStream in = Files.newInputStream(file)) {
            length = Files.size(file);
            head = Arrays.copyOf(head, in.readNBytes(head, 0, head.length));
        } catch (IOException e) {
            throw new ImportException(source, "cannot be read (" + e + ")", e);
        }
        if (length > MAX_FILE_BYTES) throw new ImportException(source, "too large: " + length
                + " bytes; Lanes imports Keras files of at most " + MAX_FILE_BYTES + " bytes");
        String fileName = file.getFileName() == null ? source : file.getFileName().toString();
        if (Arrays.equals(head, 0, Math.min(4, head.length), ZIP, 0, 4) && head.length >= 4) {
            return fromArchive(file, source, fileName);
        }
        if (Hdf5.isHdf5(head)) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new ImportException(source, "cannot be read (" + e + ")", e);
            }
            try (Hdf5 h5 = Hdf5.open(bytes, source, "the HDF5 file")) {
                return fromLegacy(h5, source, fileName);
            }
        }
        throw new ImportException(source, head.length == 0 ? "an empty file, not a Keras model"
                : "not a Keras model: neither a .keras archive (zip) nor a legacy .h5 file (HDF5)");
    }

    // -----------------------------------------------------------------------------------------------
    // Legacy .h5: the model_config attribute, weights under model_weights/<layer>/ by weight_names

    private static Weights fromLegacy(Hdf5 h5, String source, String fileName) throws ImportException {
        Group root = h5.root();
        Node weightsNode = h5.child(root, "model_weights");
        String written = h5.string(root, "keras_version");
        if (written == null && weightsNode instanceof Group g) written = h5.string(g, "keras_version");
        String version = written == null ? "unknown" : written;
        String configText = h5.string(root, "model_config");
        if (configText == null) {
            throw new ImportException(source, h5.strings(root, "layer_names") != null
                    ? "weights only (written by model.save_weights), without the model's config; save"
                            + " the whole model with model.save(\"model.keras\") or model.save(\"model.h5\")"
                    : "an HDF5 file without a Keras model config (no model_config attribute): not written by"
                            + " Keras' model.save");
        }
        if (!(weightsNode instanceof Group weights)) throw new ImportException(source, "the Keras " + version
                + " file has a model config but no model_weights group: the weights were not saved");
        Store store = layer -> {
            Node node = h5.child(weights, layer);
            if (!(node instanceof Group g)) return null;
            List<String> names = h5.strings(g, "weight_names");
            if (names == null) throw new ImportException(source, "layer '" + layer + "' (Keras " + version
                    + "): its weights group has no weight_names attribute");
            List<Dataset> out = new ArrayList<>();
            for (String name : names) {
                Node d = h5.at(g, name);
                if (!(d instanceof Dataset ds)) throw new ImportException(source, "layer '" + layer + "' (Keras "
                        + version + "): weight " + name + " listed in weight_names is not in the file");
                out.add(ds);
            }
            return out;
        };
        return build(source, fileName, version, Metadata.unknown(), parseConfig(source, version, configText), store, h5);
    }

    // -----------------------------------------------------------------------------------------------
    // .keras: a zip of config.json, metadata.json and model.weights.h5 (weights under <top>/<layer>/vars/<i>)

    private static Weights fromArchive(Path file, String source, String fileName) throws ImportException {
        byte[] config;
        byte[] metadata;
        byte[] weightBytes;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            config = entry(zip, "config.json", MAX_JSON_BYTES, source);
            metadata = entry(zip, "metadata.json", MAX_JSON_BYTES, source);
            weightBytes = entry(zip, "model.weights.h5", MAX_FILE_BYTES, source);
        } catch (ZipException e) {
            throw new ImportException(source, "damaged or truncated .keras archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ImportException(source, "cannot be read (" + e + ")", e);
        } catch (RuntimeException e) {
            // java.util.zip reports some malformed archives with unchecked exceptions.
            throw new ImportException(source, "damaged .keras archive (" + e + ")", e);
        }
        if (config == null) throw new ImportException(source, "a zip archive without config.json: not a .keras model");
        String version = "unknown";
        Instant saved = Instant.EPOCH;
        if (metadata != null) {
            try {
                if (Json.parse(new String(metadata, StandardCharsets.UTF_8)) instanceof Map<?, ?> m) {
                    if (m.get("keras_version") instanceof String v) version = v;
                    if (m.get("date_saved") instanceof String d) saved = savedAt(d);
                }
            } catch (Json.SyntaxException e) {
                throw new ImportException(source, "metadata.json in the archive is not valid JSON: " + e.getMessage());
            }
        }
        if (weightBytes == null) throw new ImportException(source, "the Keras " + version
                + " archive has no model.weights.h5: the weights were not saved");
        KerasConfig parsed = parseConfig(source, version, new String(config, StandardCharsets.UTF_8));
        try (Hdf5 h5 = Hdf5.open(weightBytes, source, "model.weights.h5 in the archive")) {
            Group root = h5.root();
            String topName = h5.child(root, "layers") instanceof Group ? "layers" : "_layer_checkpoint_dependencies";
            Node top = h5.child(root, topName);
            final String v = version;
            Map<String, String> paths = parsed.archivePaths();
            Store store = layer -> {
                if (!(top instanceof Group t)) return null;
                // Keras' path for the layer; the layer's own name only where that path is absent.
                String path = paths.getOrDefault(layer, layer);
                if (!(h5.child(t, path) instanceof Group)) path = layer;
                if (!(h5.child(t, path) instanceof Group g)) return null;
                final String at = path;
                if (!(h5.child(g, "vars") instanceof Group vars)) return List.of();
                List<String> names = h5.childNames(vars);
                List<Dataset> out = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    if (!(h5.child(vars, Integer.toString(i)) instanceof Dataset d))
                        throw new ImportException(source, "layer '" + layer + "' (Keras " + v + "): variable "
                                + topName + "/" + at + "/vars/" + i + " is missing");
                    out.add(d);
                }
                return out;
            };
            Metadata meta = new Metadata("", 0, Double.NaN, saved);
            return build(source, fileName, version, meta, parsed, store, h5);
        }
    }

    /** An archive member's bytes (null when absent), its size capped and its CRC checked. */
    private static byte[] entry(ZipFile zip, String name, long max, String source) throws IOException, ImportException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) return null;
        if (e.isDirectory()) throw new ImportException(source, name + " in the archive is a directory");
        if (e.getSize() > max) throw new ImportException(source, name + " in the archive is " + e.getSize()
                + " bytes; at most " + max + " are read");
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8) + 1);
        }
        if (bytes.length > max) throw new ImportException(source, name + " in the archive is over " + max + " bytes");
        if (e.getSize() >= 0 && bytes.length != e.getSize()) throw new ImportException(source,
                "damaged or truncated .keras archive: " + name + " holds " + bytes.length + " bytes, its entry says " + e.getSize());
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (e.getCrc() >= 0 && crc.getValue() != e.getCrc()) throw new ImportException(source,
                "damaged .keras archive: " + name + " fails its CRC check");
        return bytes;
    }

    /** Keras' {@code date_saved}, "2023-10-16@17:30:33" (local time, taken as UTC); the epoch when unreadable. */
    private static Instant savedAt(String date) {
        try {
            return LocalDateTime.parse(date, DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    // -----------------------------------------------------------------------------------------------
    // Both formats: config → planned layers → weights

    /** A layer's weight datasets in Keras' order, or null when the file has no group for the layer. */
    @FunctionalInterface
    private interface Store {
        List<Dataset> weights(String layer) throws ImportException;
    }

    private static KerasConfig parseConfig(String source, String version, String text) throws ImportException {
        if (version.startsWith("1.")) throw new ImportException(source, "written by Keras " + version
                + ", whose layer configs differ from Keras 2's; Lanes imports files from Keras 2 and 3:"
                + " load the model in Keras 2 and save it again");
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.SyntaxException e) {
            throw new ImportException(source, "the Keras " + version + " model config is not valid JSON: " + e.getMessage());
        }
        try {
            return KerasConfig.parse(json);
        } catch (Invalid e) {
            throw new ImportException(source, "Keras " + version + " model: " + e.getMessage());
        }
    }

    private static Weights build(String source, String fileName, String version, Metadata metadata,
                                 KerasConfig config, Store store, Hdf5 h5) throws ImportException {
        KerasLayers plan;
        try {
            plan = KerasLayers.plan(config);
        } catch (Invalid e) {
            throw new ImportException(source, "Keras " + version + " model: " + e.getMessage());
        }
        if (!plan.problems.isEmpty()) {
            StringBuilder b = new StringBuilder("Keras " + version + " model: ");
            b.append(plan.problems.size() == 1 ? "1 layer cannot be imported:"
                    : plan.problems.size() + " layers cannot be imported:");
            for (String p : plan.problems) b.append("\n  ").append(p);
            throw new ImportException(source, b.toString());
        }
        List<lanes.engine.Layer> layers = new ArrayList<>();
        for (KerasLayers.Planned p : plan.planned) {
            String where = "layer '" + p.layer().name() + "' (" + p.layer().className() + ", Keras " + version + "): ";
            try {
                layers.add(layer(p, where, store, h5, source));
            } catch (IllegalArgumentException e) {
                throw new ImportException(source, where + e.getMessage(), e);
            }
        }
        Weights weights;
        try {
            weights = new Weights(plan.input, layers, metadata, InputRange.UNIT, List.of(),
                    new Provenance("keras", fileName, version));
        } catch (IllegalArgumentException e) {
            throw new ImportException(source, "Keras " + version + " model: the imported layers do not fit together: "
                    + e.getMessage(), e);
        }
        try {
            // What the engine refuses to run (softmax before the output, a BatchNorm that overflows when
            // folded) is refused now, at load, not when a model is first built from these weights.
            Model.of(weights, KernelsProvider.get());
        } catch (IllegalArgumentException e) {
            throw new ImportException(source, "Keras " + version + " model: a network this engine cannot run: "
                    + e.getMessage(), e);
        }
        return weights;
    }

    /** One planned layer as an engine layer, with its weights read and checked. */
    private static lanes.engine.Layer layer(KerasLayers.Planned p, String where, Store store, Hdf5 h5, String source)
            throws ImportException {
        return switch (p) {
            case KerasLayers.Fixed f -> f.engine();
            case KerasLayers.Dense d -> {
                List<float[]> w = tensors(store, h5, source, where, p, List.of(
                        new Expected("kernel", d.inputs(), d.units()), new Expected("bias", d.units())), d.bias());
                yield new DenseWeights(d.inputs(), d.units(), d.activation(), w.get(0),
                        d.bias() ? w.get(1) : new float[d.units()]);
            }
            case KerasLayers.Conv c -> {
                int in = c.input().channels();
                List<float[]> w = tensors(store, h5, source, where, p, List.of(
                        new Expected("kernel", c.kernelH(), c.kernelW(), in, c.filters()),
                        new Expected("bias", c.filters())), c.bias());
                yield new Conv2D(c.kernelH(), c.kernelW(), in, c.filters(), c.strideH(), c.strideW(), c.padding(),
                        c.activation(), w.get(0), c.bias() ? w.get(1) : new float[c.filters()]);
            }
            case KerasLayers.Norm n -> {
                // Keras' order: gamma (if scale), beta (if center), moving_mean, moving_variance.
                List<Expected> expected = new ArrayList<>();
                if (n.scale()) expected.add(new Expected("gamma", n.channels()));
                if (n.center()) expected.add(new Expected("beta", n.channels()));
                expected.add(new Expected("moving_mean", n.channels()));
                expected.add(new Expected("moving_variance", n.channels()));
                List<float[]> w = tensors(store, h5, source, where, p, expected, true);
                int i = 0;
                float[] gamma = n.scale() ? w.get(i++) : filled(n.channels(), 1f);
                float[] beta = n.center() ? w.get(i++) : new float[n.channels()];
                float[] mean = w.get(i++);
                float[] variance = w.get(i);
                for (int c = 0; c < variance.length; c++) {
                    if (!(variance[c] >= 0)) throw new ImportException(source, where + "moving_variance["
                            + c + "] is " + variance[c] + "; a variance must be >= 0");
                }
                yield new BatchNorm(gamma, beta, mean, variance, n.epsilon());
            }
        };
    }

    private record Expected(String role, int... shape) {}

    /**
     * The layer's tensors: as many as expected (the last, the bias, optional), each of the expected shape
     * and finite.
     */
    private static List<float[]> tensors(Store store, Hdf5 h5, String source, String where, KerasLayers.Planned p,
                                         List<Expected> expected, boolean lastPresent) throws ImportException {
        List<Expected> wanted = lastPresent ? expected : expected.subList(0, expected.size() - 1);
        List<Dataset> datasets = store.weights(p.layer().name());
        if (datasets == null) throw new ImportException(source, where + "the file holds no weights for it");
        if (datasets.size() != wanted.size()) throw new ImportException(source, where + "expected "
                + wanted.size() + " weight tensors (" + roles(wanted) + "), found " + datasets.size());
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            Expected e = wanted.get(i);
            float[] values;
            try {
                values = h5.floats(datasets.get(i), e.shape(), e.role());
            } catch (Hdf5.ShapeMismatch m) {
                throw new ImportException(source, where + e.role() + " is " + shape(m.found) + " in the file, expected "
                        + shape(e.shape()) + " from the config");
            } catch (ImportException x) {
                throw new ImportException(source, where + x.problem(), x.getCause());
            }
            for (int j = 0; j < values.length; j++) {
                if (!Float.isFinite(values[j])) throw new ImportException(source, where + e.role() + "[" + j + "] is "
                        + values[j] + "; the weights must be finite (was the model trained to NaN?)");
            }
            out.add(values);
        }
        return out;
    }

    private static String roles(List<Expected> expected) {
        List<String> r = new ArrayList<>();
        for (Expected e : expected) r.add(e.role());
        return String.join(", ", r);
    }

    private static String shape(int[] dims) {
        return dims.length == 0 ? "a scalar" : KerasLayers.render(dims);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
