package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import lanes.engine.Model;
import lanes.engine.Weights;
import lanes.interchange.ImportException;
import lanes.interchange.KerasImporter;
import lanes.kernels.KernelsProvider;

/**
 * {@link KerasImporter#read}, the way {@code tools/convert} and {@code tools/predict --model} call it on a
 * file a user downloaded: legacy {@code .h5} (HDF5, read by jhdf) and {@code .keras} archives.
 *
 * <p>Two targets. {@link #file} takes the bytes as the file itself, so mutations hit the zip and HDF5
 * structure. {@link #archive} builds a valid {@code .keras} zip around its input (a big-endian u16 length,
 * that many bytes of config.json, then model.weights.h5): a random mutation inside a zip member almost
 * never keeps the member's CRC right, so without this the fuzzer would rarely get past the CRC check to
 * the JSON and HDF5 readers behind it.
 *
 * <p>Allowed outcome: {@link ImportException} naming the file, or weights the engine builds a model from
 * and runs on a mid-grey input (an output that overflows is refused by predict, as documented).
 */
class KerasFuzzTest {

    /**
     * Per input. Inputs are tens of KiB; jhdf reads a file from memory and allocates per object it parses,
     * and the importer allocates what the file's datasets hold (checked against the bytes stored for them).
     */
    static final long MAX_ALLOCATED = 128 * Budget.MIB;

    static {
        // Load (and, while fuzzing, instrument) jhdf, the zip reader and the engine before the first
        // measured input: class loading runs on the calling thread and would count against its budget.
        try {
            for (String seed : new String[] {"seed-keras2-cnn-bn.h5", "seed-keras3-functional-cnn.keras",
                    "seed-keras2-mlp-latest-hdf5.h5", "seed-refused-unsupported.h5"}) {
                try (var in = KerasFuzzTest.class.getResourceAsStream("KerasFuzzTestInputs/file/" + seed)) {
                    if (in == null) continue;
                    Path p = TempFiles.write("warm-up" + seed.substring(seed.lastIndexOf('.')), in.readAllBytes());
                    try {
                        Weights w = KerasImporter.read(p);
                        Model.of(w, KernelsProvider.get()).predict(new float[w.inputSize()]);
                    } catch (ImportException expected) {
                        // the refused seed: its error path is what is being loaded
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void file(byte[] data) throws Exception {
        // The importer tells the format by content; the name only varies what a user would see.
        read(TempFiles.write(data.length > 0 && data[0] == 'P' ? "input.keras" : "input.h5", data));
    }

    @FuzzTest(maxDuration = "10m")
    void archive(byte[] data) throws Exception {
        read(TempFiles.write("input.keras", archiveOf(data)));
    }

    private static long largestActivation(Weights w) {
        lanes.engine.Shape s = w.inputShape();
        long largest = s.size();
        for (lanes.engine.Layer layer : w.layers()) {
            s = layer.outputShape(s);
            largest = Math.max(largest, s.size());
        }
        return largest;
    }

    /** A .keras zip of the input's config and weights parts (see the class comment), with a fixed metadata.json. */
    static byte[] archiveOf(byte[] data) throws IOException {
        int configLength = data.length < 2 ? 0 : Math.min(data.length - 2, ((data[0] & 0xff) << 8) | (data[1] & 0xff));
        int start = Math.min(2, data.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(0);
            put(zip, "metadata.json", "{\"keras_version\": \"3.10.0\", \"date_saved\": \"2025-06-01@10:20:30\"}"
                    .getBytes(StandardCharsets.UTF_8));
            put(zip, "config.json", Arrays.copyOfRange(data, start, start + configLength));
            put(zip, "model.weights.h5", Arrays.copyOfRange(data, start + configLength, data.length));
        }
        return out.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static void read(Path path) throws Exception {
        Weights w = Budget.within("KerasImporter.read", MAX_ALLOCATED, () -> {
            try {
                return KerasImporter.read(path);
            } catch (ImportException expected) {
                assertEquals(path.toString(), expected.source());
                assertTrue(!expected.problem().isBlank(), "an empty problem");
                return null;
            }
        });
        if (w == null) return;
        assertEquals("keras", w.provenance().format());
        Model model = Model.of(w, KernelsProvider.get()); // the importer promised the engine runs it
        if (largestActivation(w) > 1 << 20) return; // a config may declare a huge image; running it proves nothing more
        float[] input = new float[model.inputSize()];
        Arrays.fill(input, 0.5f);
        float[] outputs = new float[model.outputs()];
        try {
            int label = model.predict(input, outputs);
            assertTrue(label >= 0 && label < model.outputs(), "label " + label);
        } catch (IllegalArgumentException overflow) {
            assertTrue(overflow.getMessage().contains("NaN or infinite") || overflow.getMessage().contains("overflow"),
                    overflow.getMessage());
        }
    }
}
